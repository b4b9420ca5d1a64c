// The port every festival flow (lib/flows/) is written against, whatever engine runs it.
// Bindings (lib/bindings/artillery, lib/bindings/k6) implement it; flows never import an
// engine module. Pure types plus the declarative tables both bindings read.

/** Tag names every binding attaches to samples; values stay low-cardinality (never ids). */
export type Tags = Record<string, string>;

/**
 * Which statuses are a correct answer to a request (so `http_req_failed` counts only real
 * failures: a 402 or 409 is the platform working). Declarative, so the k6 binding can build
 * its `http.expectedStatuses` callbacks once in the init context.
 */
export const EXPECTED_STATUS_SETS = {
  success: [],
  // 403 wallet_blocked: a blocked wristband refused at a gate or a till is the platform working.
  entry: [402, 403, 409], // insufficient_funds (re-entry fee), duplicate_entry, capacity_reached
  exit: [403, 409], // not_inside
  order: [402, 403], // insufficient_funds
  // A forged or malformed request must be refused: 400 is the right answer.
  refusal: [400],
  // The adversarial client share (lib/flows/adversarial.ts): refusals are the right answers.
  adversarial: [400, 402, 403, 409, 422],
} as const satisfies Record<string, readonly number[]>;
export type ExpectedStatusSet = keyof typeof EXPECTED_STATUS_SETS;

/** True when `status` is an expected answer under `set` (2xx always is). */
export function isExpectedStatus(set: ExpectedStatusSet, status: number): boolean {
  if (status >= 200 && status <= 299) return true;
  return (EXPECTED_STATUS_SETS[set] as readonly number[]).includes(status);
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  body: string | null;
  headers: Record<string, string>;
  timeoutSeconds: number;
  /** At least `op` and `name` (the route template, e.g. "GET /v1/wallets/{id}"). */
  tags: Tags;
  expected: ExpectedStatusSet;
}

export interface HttpResponse {
  /** 0: no response (timeout or connection error). */
  status: number;
  body: string | null;
  /** Header lookup, case-insensitive. */
  header(name: string): string | null;
  durationMs: number;
  /** Why there is no response; null when there is one. */
  error: 'timeout' | 'network_error' | null;
}

/** Metrics and checks, as k6 defines them: a Trend, a Counter, a Rate; a check is a named Rate. */
export interface MetricsPort {
  counter(name: string, value: number, tags?: Tags): void;
  /** Milliseconds for time trends. */
  trend(name: string, value: number, tags?: Tags): void;
  rate(name: string, ok: boolean, tags?: Tags): void;
  /** Records the named check (metric `checks`, tag `check`) and returns ok. */
  check(name: string, ok: boolean, tags?: Tags): boolean;
}

/** Where this iteration runs: identifies it for wallet partitioning and idempotency keys. */
export interface IterationInfo {
  /** Unique in the whole run, across processes and shards (goes into Idempotency-Keys). */
  vu: string;
  /** The lane's iteration number, unique and gap-free across every process of the run. */
  iteration: number;
  /** 0-based lane of the workload (a door, a terminal); 0 for unlaned workloads. */
  lane: number;
}

export interface LoadPort extends MetricsPort {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Several requests in flight at once; answers in the same order. */
  batch(reqs: HttpRequest[]): Promise<HttpResponse[]>;
  /** Think time: a waiting user costs a timer, nothing more. */
  sleep(seconds: number): Promise<void>;
  /** HMAC-SHA256 as lowercase hex (Stripe signatures). */
  hmacSha256Hex(key: string, data: string): string;
  /** Tags added to every later sample of this VU (chaos phase); mutable on purpose. */
  readonly vuTags: Tags;
  readonly iteration: IterationInfo;
}
