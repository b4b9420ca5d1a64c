// Runs the real k6 binary for a benchmark and watches it from outside: RSS (VmRSS samples and
// the kernel's high-water mark VmHWM from /proc/<pid>/status), CPU time (utime + stime from
// /proc/<pid>/stat), and iterations / requests / VUs per second through k6's REST API on a
// loopback port of its own. Every run is bounded: past its deadline k6 gets SIGINT (it ends the
// test and still writes its summary), then SIGKILL. Only the PID we spawned is ever signalled.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface K6Sample {
  /** Seconds since k6 started. */
  t: number;
  rssKiB: number;
  /** k6's CPU time so far (user + system), seconds. */
  cpuSeconds: number;
  iterations: number | null;
  httpReqs: number | null;
  vus: number | null;
}

export interface K6BenchRun {
  exitCode: number;
  timedOut: boolean;
  wallSeconds: number;
  /** VmHWM at the last sample: the process's peak resident set. */
  peakRssKiB: number;
  /** k6's CPU time (user + system), seconds. */
  cpuSeconds: number;
  samples: K6Sample[];
  /** --summary-export file, parsed (metrics.<name>.{count, rate, value, p(95), ...}). */
  summary: { metrics: Record<string, Record<string, number>> } | null;
  outputTail: string;
}

export interface K6BenchOptions {
  k6Path: string;
  script: string;
  env: Record<string, string>;
  /** Where the summary export goes (an existing directory). */
  outDir: string;
  /** Extra k6 run flags. */
  args?: string[];
  /** Hard bound on the run, ms. */
  timeoutMs: number;
  sampleEveryMs?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM (KiB) of a live process; null once it is gone. */
export function readMemory(pid: number): { rssKiB: number; hwmKiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (!rss || !hwm) return null;
    return { rssKiB: Number(rss[1]), hwmKiB: Number(hwm[1]) };
  } catch {
    return null;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a live process, seconds; null once it is gone. */
export function readCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

async function apiGet(port: number, path: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1000) });
  if (!res.ok) return null;
  return res.json();
}

async function pollApi(port: number): Promise<{ iterations: number | null; httpReqs: number | null; vus: number | null }> {
  const [it, reqs, status] = await Promise.all([
    apiGet(port, '/v1/metrics/iterations').catch(() => null),
    apiGet(port, '/v1/metrics/http_reqs').catch(() => null),
    apiGet(port, '/v1/status').catch(() => null),
  ]);
  return {
    iterations: it?.data?.attributes?.sample?.count ?? null,
    httpReqs: reqs?.data?.attributes?.sample?.count ?? null,
    vus: status?.data?.attributes?.vus ?? null,
  };
}

export async function runK6Bench(opts: K6BenchOptions): Promise<K6BenchRun> {
  const port = await freePort();
  const summaryFile = join(opts.outDir, `summary-export-${port}-${Date.now()}.json`);
  const args = ['run', '--no-usage-report', '--quiet', '--address', `127.0.0.1:${port}`, '--summary-export', summaryFile, ...(opts.args ?? []), opts.script];
  const started = performance.now();
  const child = spawn(opts.k6Path, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env, K6_NO_USAGE_REPORT: 'true', K6_WEB_DASHBOARD: 'false' },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${opts.k6Path}`);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let exited = false;
  let exitCode = 1;
  const done = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      exited = true;
      exitCode = code ?? (signal ? 128 : 1);
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });

  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    try { process.kill(pid, 'SIGINT'); } catch { /* gone */ }
    setTimeout(() => { if (!exited) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, 15_000).unref();
  }, opts.timeoutMs);

  const samples: K6Sample[] = [];
  let peakRssKiB = 0;
  let cpuSeconds = 0;
  const every = opts.sampleEveryMs ?? 1000;
  const memEvery = Math.min(every, 250);
  let lastApi = 0;
  while (!exited) {
    const mem = readMemory(pid);
    const cpu = readCpuSeconds(pid);
    if (mem) peakRssKiB = Math.max(peakRssKiB, mem.hwmKiB, mem.rssKiB);
    if (cpu !== null) cpuSeconds = Math.max(cpuSeconds, cpu);
    const now = performance.now();
    if (mem && now - lastApi >= every) {
      lastApi = now;
      const api = await pollApi(port);
      samples.push({ t: (performance.now() - started) / 1000, rssKiB: mem.rssKiB, cpuSeconds, ...api });
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, memEvery))]);
  }
  clearTimeout(deadline);
  await done;

  let summary: K6BenchRun['summary'] = null;
  if (existsSync(summaryFile)) {
    try {
      summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
    } catch { /* a killed k6 may leave a partial file */ }
  }
  return { exitCode, timedOut, wallSeconds: (performance.now() - started) / 1000, peakRssKiB, cpuSeconds, samples, summary, outputTail: tail };
}

/** A counter's count from a summary export (0 when k6 never added to it). */
export function count(run: K6BenchRun, metric: string): number {
  return run.summary?.metrics[metric]?.count ?? 0;
}

export function metricValue(run: K6BenchRun, metric: string, stat: string): number | null {
  const v = run.summary?.metrics[metric]?.[stat];
  return typeof v === 'number' ? v : null;
}

/**
 * Highest rate of a sampled counter over a sliding window of `windowSeconds` (from the REST
 * API samples); null with fewer than two samples.
 */
export function peakRate(samples: K6Sample[], key: 'iterations' | 'httpReqs', windowSeconds: number): number | null {
  const pts = samples.filter((s) => s[key] !== null) as Array<K6Sample & Record<typeof key, number>>;
  let best: number | null = null;
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      const dt = pts[j]!.t - pts[i]!.t;
      if (dt + 1e-9 < windowSeconds) continue;
      const rate = (pts[j]![key] - pts[i]![key]) / dt;
      if (best === null || rate > best) best = rate;
      break;
    }
  }
  if (best === null && pts.length >= 2) {
    const a = pts[0]!;
    const b = pts[pts.length - 1]!;
    if (b.t > a.t) best = (b[key] - a[key]) / (b.t - a.t);
  }
  return best;
}

export function maxVus(run: K6BenchRun): number {
  const fromSummary = run.summary?.metrics.vus_max?.max ?? run.summary?.metrics.vus_max?.value;
  const fromSamples = Math.max(0, ...run.samples.map((s) => s.vus ?? 0));
  return Math.max(fromSummary ?? 0, fromSamples);
}

/**
 * k6 CPU milliseconds per HTTP request while requests were flowing (VU initialisation, which
 * the REST API shows as no requests yet, is left out); null without enough samples.
 */
export function cpuMsPerRequest(run: K6BenchRun): number | null {
  const active = run.samples.filter((s) => (s.httpReqs ?? 0) > 0);
  if (active.length < 2) return null;
  const first = active[0]!;
  const last = active[active.length - 1]!;
  const reqs = (last.httpReqs ?? 0) - (first.httpReqs ?? 0);
  return reqs > 0 ? ((last.cpuSeconds - first.cpuSeconds) * 1000) / reqs : null;
}
