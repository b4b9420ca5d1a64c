// The LoadPort over k6: http.asyncRequest, k6/metrics, check(), k6/crypto, k6/execution.
// Module state here is per VU (each k6 VU is its own JS runtime), so one port per module is
// one port per VU. Everything k6 insists on creating in the init context (custom metrics,
// expected-status callbacks) is created when this module loads.
import { check } from 'k6';
import crypto from 'k6/crypto';
import exec from 'k6/execution';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { EXPECTED_STATUS_SETS, type ExpectedStatusSet, type HttpRequest, type HttpResponse, type IterationInfo, type LoadPort, type Tags } from '../../../core/load-port.js';
import { LOAD_METRICS, type MetricKind } from '../../metrics.js';
import { laneOf } from './options.js';

// ---- metrics: k6 only accepts custom metrics created in the init context ----------------

type K6Metric = { kind: 'counter'; m: Counter } | { kind: 'trend'; m: Trend } | { kind: 'rate'; m: Rate };

const metrics = new Map<string, K6Metric>();
for (const { name, kind } of LOAD_METRICS) {
  if (metrics.has(name)) continue;
  metrics.set(name, kind === 'counter' ? { kind, m: new Counter(name) } : kind === 'trend' ? { kind, m: new Trend(name, true) } : { kind, m: new Rate(name) });
}

function metric(name: string, kind: MetricKind): K6Metric {
  const m = metrics.get(name);
  if (!m || m.kind !== kind) {
    // A name missing here would be silently dropped by k6 if created now: fail loudly instead.
    throw new Error(`moshpit k6: ${kind} ${name} is not declared (add it to lib/metrics.ts LOAD_METRICS)`);
  }
  return m;
}

// ---- HTTP ------------------------------------------------------------------------------

const SUCCESS = { min: 200, max: 299 };
const RESPONSE_CALLBACKS = Object.fromEntries(
  (Object.keys(EXPECTED_STATUS_SETS) as ExpectedStatusSet[]).map((set) => [set, http.expectedStatuses(SUCCESS, ...EXPECTED_STATUS_SETS[set])]),
) as Record<ExpectedStatusSet, ReturnType<typeof http.expectedStatuses>>;

// k6 error code for a request that hit its timeout.
const K6_REQUEST_TIMEOUT = 1050;

function toResponse(res: RefinedResponse<ResponseType | undefined>): HttpResponse {
  const headers = res.headers ?? {};
  return {
    status: res.status,
    body: typeof res.body === 'string' ? res.body : null,
    header(name: string): string | null {
      const want = name.toLowerCase();
      for (const k of Object.keys(headers)) if (k.toLowerCase() === want) return headers[k] ?? null;
      return null;
    },
    durationMs: res.timings.duration,
    error: res.status !== 0 ? null : res.error_code === K6_REQUEST_TIMEOUT ? 'timeout' : 'network_error',
  };
}

function noResponse(startedMs: number): HttpResponse {
  return { status: 0, body: null, header: () => null, durationMs: Date.now() - startedMs, error: 'network_error' };
}

async function request(req: HttpRequest): Promise<HttpResponse> {
  const started = Date.now();
  try {
    const res = await http.asyncRequest(req.method, req.url, req.body, {
      headers: req.headers,
      tags: req.tags,
      timeout: `${req.timeoutSeconds}s`,
      responseCallback: RESPONSE_CALLBACKS[req.expected],
    });
    return toResponse(res);
  } catch {
    // k6 resolves transport failures with status 0 unless told to throw; this is the fallback.
    return noResponse(started);
  }
}

// ---- VU tags ---------------------------------------------------------------------------

/** Writes go through to exec.vu.metrics.tags, so every later sample of this VU carries them. */
const vuTags: Tags = new Proxy({} as Tags, {
  set(local, key, value) {
    if (typeof key !== 'string') return false;
    local[key] = String(value);
    exec.vu.metrics.tags[key] = String(value);
    return true;
  },
  deleteProperty(local, key) {
    if (typeof key !== 'string') return false;
    delete local[key];
    delete exec.vu.metrics.tags[key];
    return true;
  },
});

// ---- the port --------------------------------------------------------------------------

export const k6Port: LoadPort = {
  request,
  batch: (reqs) => Promise.all(reqs.map(request)),
  sleep: (seconds) => new Promise<void>((resolve) => { setTimeout(resolve, Math.max(0, seconds) * 1000); }),
  hmacSha256Hex: (key, data) => crypto.hmac('sha256', key, data, 'hex'),
  counter(name, value, tags) {
    (metric(name, 'counter').m as Counter).add(value, tags);
  },
  trend(name, value, tags) {
    (metric(name, 'trend').m as Trend).add(value, tags);
  },
  rate(name, ok, tags) {
    (metric(name, 'rate').m as Rate).add(ok, tags);
  },
  check(name, ok, tags) {
    check(null, { [name]: () => ok }, tags);
    return ok;
  },
  vuTags,
  /** Read at the start of an iteration (flowContext()): VU code only, not init or setup. */
  get iteration(): IterationInfo {
    return { vu: String(exec.vu.idInTest), iteration: exec.scenario.iterationInTest, lane: laneOf(exec.scenario.name) };
  },
};
