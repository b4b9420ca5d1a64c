// What the target's request log says about a run: error rate and latency per endpoint (route
// template), failures by code, wallets whose log shows an inconsistent money story, and a
// time series per bucket (a minute by default). The same object goes to the CLI, the run's
// request-log.json and the run report.
//
// Every answer is one of:
//   ok             2xx
//   rejection      a business "no" (402 insufficient_funds, 409 duplicate_entry, 403 wallet_blocked,
//                  ...: core/error-codes.ts REJECTION_CODES): expected under load, changes nothing
//   request error  any other 4xx (bad key, bad signature, validation): a client or contract bug
//   server error   5xx: the platform failed; for a write, nobody knows whether it applied
// The error rate counts request and server errors; rejections are business as usual.
//
// Wallet mismatches: what the log alone can prove about a wallet's money or gate state.
//   unknown_write_outcome  a write for the wallet (entry, exit, order, recharge, funding
//                          webhook) answered 5xx: the client cannot know whether it moved money
//                          or presence, so its view of the wallet may now differ from the ledger
//   replay_changed_answer  a replayed write (replayed=true) answered a different status than the
//                          wallet's original request on that route (the latest earlier
//                          non-replayed one): an idempotent replay must repeat the original answer
// Balances that contradict the ledger are the validators' job (they read the database).
import { isRejectionCode } from '../../core/error-codes.js';
import { Samples } from './samples.js';
import { readRequestLog, type LogEntry, type ReadCounts, type Window } from './read-log.js';

export type AnswerClass = 'ok' | 'rejection' | 'request_error' | 'server_error';

export function classify(e: Pick<LogEntry, 'status' | 'code'>): AnswerClass {
  if (e.status >= 200 && e.status < 300) return 'ok';
  if (e.status >= 500 || e.status < 100) return 'server_error';
  if (e.code !== null && isRejectionCode(e.code)) return 'rejection';
  return 'request_error';
}

const WRITE_OPS = new Set(['entry', 'exit', 'order', 'recharge', 'funding_webhook']);

export interface EndpointStats {
  /** "POST /v1/orders"; unmatched paths: "<method> (no route)". */
  endpoint: string;
  op: string | null;
  requests: number;
  rejections: number;
  requestErrors: number;
  serverErrors: number;
  /** (request errors + server errors) / requests */
  errorRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface CodeStats {
  status: number;
  /** The answer's code, "(none)" when it had none. */
  code: string;
  class: AnswerClass;
  count: number;
  endpoints: string[];
}

export type MismatchKind = 'unknown_write_outcome' | 'replay_changed_answer';

export interface WalletMismatch {
  walletId: string;
  kind: MismatchKind;
  endpoint: string;
  at: string;
  status: number;
  code: string | null;
  /** For replay_changed_answer: the original's status. */
  originalStatus?: number;
}

export interface Bucket {
  startMs: number;
  requests: number;
  rejections: number;
  errors: number;
  errorRate: number;
  p95: number | null;
}

export interface LogAnalysis {
  version: 1;
  source: string;
  window: Window | null;
  bucketSeconds: number;
  read: ReadCounts & { used: number };
  totals: {
    requests: number;
    rejections: number;
    requestErrors: number;
    serverErrors: number;
    errorRate: number;
    p95: number | null;
    firstMs: number | null;
    lastMs: number | null;
  };
  endpoints: EndpointStats[];
  failuresByCode: CodeStats[];
  walletMismatches: {
    wallets: number;
    byKind: Record<MismatchKind, number>;
    /** The first few, in log order. */
    examples: WalletMismatch[];
  };
  series: Bucket[];
  /** Reference target only: answers shaped by a defect mode, by mode. */
  defects: Record<string, number>;
}

export interface AnalyzeOptions {
  window?: Window;
  /** Time series bucket (default 60: per minute). */
  bucketSeconds?: number;
  /** Most mismatch examples kept (default 20). */
  exampleLimit?: number;
  /** Byte offset to start reading at (see readRequestLog). */
  fromByte?: number;
}

const endpointOf = (e: LogEntry) => `${e.method} ${e.route ?? '(no route)'}`;

interface EndpointAcc { op: string | null; requests: number; rejections: number; requestErrors: number; serverErrors: number; latency: Samples }
interface BucketAcc { requests: number; rejections: number; errors: number; latency: Samples }

/** Aggregates entries in one pass; `finish()` returns the analysis. */
export class LogAnalyzer {
  private readonly bucketMs: number;
  private readonly exampleLimit: number;
  private readonly endpoints = new Map<string, EndpointAcc>();
  private readonly codes = new Map<string, { status: number; code: string; class: AnswerClass; count: number; endpoints: Set<string> }>();
  private readonly buckets = new Map<number, BucketAcc>();
  private readonly all = new Samples();
  private readonly lastOriginal = new Map<string, number>(); // wallet|endpoint -> status
  private readonly mismatchWallets = new Set<string>();
  private readonly mismatchKinds: Record<MismatchKind, number> = { unknown_write_outcome: 0, replay_changed_answer: 0 };
  private readonly examples: WalletMismatch[] = [];
  private readonly defects: Record<string, number> = {};
  private totals = { requests: 0, rejections: 0, requestErrors: 0, serverErrors: 0, firstMs: null as number | null, lastMs: null as number | null };

  constructor(opts: AnalyzeOptions = {}) {
    const seconds = opts.bucketSeconds ?? 60;
    if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`bucket must be a whole number of seconds >= 1, got ${seconds}`);
    this.bucketMs = seconds * 1000;
    this.exampleLimit = opts.exampleLimit ?? 20;
  }

  add(e: LogEntry): void {
    const cls = classify(e);
    const endpoint = endpointOf(e);
    const t = this.totals;
    t.requests++;
    t.firstMs = t.firstMs === null ? e.ts : Math.min(t.firstMs, e.ts);
    t.lastMs = t.lastMs === null ? e.ts : Math.max(t.lastMs, e.ts);
    this.all.add(e.latencyMs);

    let ep = this.endpoints.get(endpoint);
    if (!ep) this.endpoints.set(endpoint, (ep = { op: e.op, requests: 0, rejections: 0, requestErrors: 0, serverErrors: 0, latency: new Samples() }));
    ep.requests++;
    ep.latency.add(e.latencyMs);

    const start = Math.floor(e.ts / this.bucketMs) * this.bucketMs;
    let b = this.buckets.get(start);
    if (!b) this.buckets.set(start, (b = { requests: 0, rejections: 0, errors: 0, latency: new Samples() }));
    b.requests++;
    b.latency.add(e.latencyMs);

    if (cls === 'rejection') { t.rejections++; ep.rejections++; b.rejections++; }
    if (cls === 'request_error') { t.requestErrors++; ep.requestErrors++; b.errors++; }
    if (cls === 'server_error') { t.serverErrors++; ep.serverErrors++; b.errors++; }
    if (cls !== 'ok') {
      const key = `${e.status} ${e.code ?? '(none)'}`;
      let c = this.codes.get(key);
      if (!c) this.codes.set(key, (c = { status: e.status, code: e.code ?? '(none)', class: cls, count: 0, endpoints: new Set() }));
      c.count++;
      c.endpoints.add(endpoint);
    }
    if (e.defect) this.defects[e.defect] = (this.defects[e.defect] ?? 0) + 1;
    this.checkWallet(e, cls, endpoint);
  }

  private checkWallet(e: LogEntry, cls: AnswerClass, endpoint: string): void {
    if (e.walletId === null || e.op === null || !WRITE_OPS.has(e.op)) return;
    const key = `${e.walletId}|${endpoint}`;
    if (cls === 'server_error') this.mismatch(e, 'unknown_write_outcome', endpoint);
    if (!e.replayed) {
      this.lastOriginal.set(key, e.status);
      return;
    }
    const original = this.lastOriginal.get(key);
    if (original !== undefined && original !== e.status) this.mismatch(e, 'replay_changed_answer', endpoint, original);
  }

  private mismatch(e: LogEntry, kind: MismatchKind, endpoint: string, originalStatus?: number): void {
    this.mismatchWallets.add(e.walletId!);
    this.mismatchKinds[kind]++;
    if (this.examples.length < this.exampleLimit) {
      this.examples.push({
        walletId: e.walletId!, kind, endpoint, at: new Date(e.ts).toISOString(), status: e.status, code: e.code,
        ...(originalStatus !== undefined && { originalStatus }),
      });
    }
  }

  finish(source: string, read: ReadCounts, window: Window | null): LogAnalysis {
    const t = this.totals;
    const rate = (errors: number, n: number) => (n === 0 ? 0 : errors / n);
    const endpoints = [...this.endpoints.entries()].map(([endpoint, a]): EndpointStats => ({
      endpoint,
      op: a.op,
      requests: a.requests,
      rejections: a.rejections,
      requestErrors: a.requestErrors,
      serverErrors: a.serverErrors,
      errorRate: rate(a.requestErrors + a.serverErrors, a.requests),
      p50: a.latency.percentile(50),
      p95: a.latency.percentile(95),
      p99: a.latency.percentile(99),
      max: a.latency.max(),
    })).sort((a, b) => b.requests - a.requests || a.endpoint.localeCompare(b.endpoint));
    const failuresByCode = [...this.codes.values()]
      .map((c): CodeStats => ({ status: c.status, code: c.code, class: c.class, count: c.count, endpoints: [...c.endpoints].sort() }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
    const series = [...this.buckets.entries()].sort((a, b) => a[0] - b[0]).map(([startMs, b]): Bucket => ({
      startMs,
      requests: b.requests,
      rejections: b.rejections,
      errors: b.errors,
      errorRate: rate(b.errors, b.requests),
      p95: b.latency.percentile(95),
    }));
    return {
      version: 1,
      source,
      window,
      bucketSeconds: this.bucketMs / 1000,
      read: { ...read, used: t.requests },
      totals: { ...t, errorRate: rate(t.requestErrors + t.serverErrors, t.requests), p95: this.all.percentile(95) },
      endpoints,
      failuresByCode,
      walletMismatches: { wallets: this.mismatchWallets.size, byKind: { ...this.mismatchKinds }, examples: [...this.examples] },
      series,
      defects: { ...this.defects },
    };
  }
}

/** Reads and analyzes a request log file. */
export async function analyzeRequestLog(path: string, opts: AnalyzeOptions = {}): Promise<LogAnalysis> {
  const counts: ReadCounts = { lines: 0, malformed: 0, outsideWindow: 0 };
  const analyzer = new LogAnalyzer(opts);
  for await (const e of readRequestLog(path, counts, opts.window, opts.fromByte)) analyzer.add(e);
  return analyzer.finish(path, counts, opts.window ?? null);
}

/** A bucket giving about 30 points over a run, rounded to a readable step; 60 s from 30 minutes on. */
export function bucketFor(durationMs: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60];
  return steps.find((s) => s * 30_000 >= durationMs) ?? 60;
}
