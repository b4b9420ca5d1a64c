// The bare Artillery reference of the load generator (bench/README.md): the same engine and the
// same arrival scheme as moshpit's flows (an Artillery scenario whose one step is a processor
// function; the launcher runs Artillery's runner in one process), but the function does one undici GET on a
// keep-alive Agent and nothing else: no flow, no checks, no metrics stream, no fixtures.
//   BARE_MODE=open   one GET per arrival (the arrival-rate reference)
//   BARE_MODE=noop   no request at all: what an arrival costs Artillery by itself (its arrival
//                    timer, its VU bookkeeping); the counts are arrivals, not requests
//   BARE_MODE=loop   each arrival is a user: GET, think BARE_THINK_MIN..MAX s (none when both
//                    are 0), GET again, ... until BARE_HOLD_MS after the first arrival (the
//                    browsing-crowd reference, and with no think time the closed-loop one;
//                    a thinking user only waits on a timer)
// Writes one JSON line per second to BARE_COUNTS_FILE ({"t": unix second, "n": requests
// finished, or arrivals in noop mode}) and, once BARE_PLANNED arrivals are done,
// {"done": true, ...} (the runner may end without exit handlers, so nothing waits for one).
// Plain CommonJS on purpose: Artillery requires it as is, no bundler in the measured path.
'use strict';
const { appendFileSync } = require('node:fs');
const { Agent, request } = require('undici');

const url = process.env.BARE_URL;
const mode = process.env.BARE_MODE || 'open';
const countsFile = process.env.BARE_COUNTS_FILE;
const planned = Number(process.env.BARE_PLANNED || 0);
const holdMs = Number(process.env.BARE_HOLD_MS || 0);
let endMs = 0;
const thinkMin = Number(process.env.BARE_THINK_MIN || 0);
const thinkMax = Number(process.env.BARE_THINK_MAX || 0);
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });

let ok = 0;
let failed = 0;
let arrivals = 0;
let completed = 0;
let active = 0;
let maxActive = 0;
let second = Math.floor(Date.now() / 1000);
let inSecond = 0;
let ended = false;

function flushSecond(now) {
  const t = Math.floor(now / 1000);
  if (t === second) return;
  if (inSecond > 0) appendFileSync(countsFile, `${JSON.stringify({ t: second, n: inSecond })}\n`);
  second = t;
  inSecond = 0;
}
setInterval(() => flushSecond(Date.now()), 250).unref();

async function get() {
  try {
    const res = await request(url, { method: 'GET', dispatcher: agent });
    await res.body.text();
    if (res.statusCode === 200) ok++; else failed++;
  } catch {
    failed++;
  }
  flushSecond(Date.now());
  inSecond++;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function bareArrival() {
  if (arrivals === 0) endMs = Date.now() + holdMs;
  arrivals++;
  active++;
  maxActive = Math.max(maxActive, active);
  try {
    if (mode === 'loop') {
      do {
        await get();
        if (thinkMax > 0) {
          const think = (thinkMin + Math.random() * (thinkMax - thinkMin)) * 1000;
          await sleep(Math.max(0, Math.min(think, endMs - Date.now())));
        }
      } while (Date.now() < endMs);
    } else if (mode === 'open') {
      await get();
    } else {
      flushSecond(Date.now());
      inSecond++;
    }
  } finally {
    active--;
    completed++;
    if (!ended && completed >= planned) {
      ended = true;
      flushSecond(Date.now() + 1000);
      appendFileSync(countsFile, `${JSON.stringify({ done: true, ok, failed, arrivals, maxActive })}\n`);
    }
  }
}

module.exports = { bareArrival };
