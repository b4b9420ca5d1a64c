// The plain-undici reference of the load generator (bench/README.md): the same arrivals as the
// bare Artillery script (BARE_RATE per second until BARE_COUNT requests), each one undici GET
// on one keep-alive Agent, at most BARE_CONCURRENCY in flight (an arrival waits for a free slot
// rather than being dropped). No engine, no metrics, no checks: what Node and undici alone
// spend on the same requests. BARE_RATE=0: no pacing, a closed loop keeping BARE_CONCURRENCY
// requests in flight (the floor: requests share event-loop wake-ups). Writes one JSON line per second to BARE_COUNTS_FILE
// ({"t": unix second, "n": requests finished}) and a last {"done": true, ...} line.
// Plain Node.js on purpose: no TypeScript loader in the measured path.
import { appendFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const url = process.env.BARE_URL;
const count = Number(process.env.BARE_COUNT || 0);
const rate = Number(process.env.BARE_RATE || 0);
const concurrency = Math.max(1, Number(process.env.BARE_CONCURRENCY || 64));
const countsFile = process.env.BARE_COUNTS_FILE;
const startAt = Number(process.env.BARE_START_MS || Date.now());
if (!url || !countsFile || !(count > 0) || !(rate >= 0)) {
  process.stderr.write('undici-loop: BARE_URL, BARE_COUNT, BARE_RATE (0: closed loop) and BARE_COUNTS_FILE are required\n');
  process.exit(2);
}

const agent = new Agent({ keepAliveTimeout: 30_000, connections: concurrency, pipelining: 1 });
let inFlight = 0;
let maxInFlight = 0;
let ok = 0;
let failed = 0;
let second = Math.floor(Date.now() / 1000);
let inSecond = 0;
const waiters = [];

function flushSecond(now) {
  const t = Math.floor(now / 1000);
  if (t === second) return;
  if (inSecond > 0) appendFileSync(countsFile, `${JSON.stringify({ t: second, n: inSecond })}\n`);
  second = t;
  inSecond = 0;
}

async function one() {
  try {
    const res = await request(url, { method: 'GET', dispatcher: agent });
    await res.body.text();
    if (res.statusCode === 200) ok++; else failed++;
  } catch {
    failed++;
  } finally {
    flushSecond(Date.now());
    inSecond++;
    inFlight--;
    waiters.shift()?.();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
await sleep(Math.max(0, startAt - Date.now()));
const started = Date.now();
const all = [];
for (let i = 0; i < count; i++) {
  if (rate > 0) {
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 1) await sleep(wait);
  }
  while (inFlight >= concurrency) await new Promise((resolve) => waiters.push(resolve));
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  flushSecond(Date.now());
  all.push(one());
}
await Promise.all(all);
flushSecond(Date.now() + 1000);
appendFileSync(countsFile, `${JSON.stringify({ done: true, ok, failed, maxInFlight, seconds: (Date.now() - started) / 1000 })}\n`);
await agent.close();
