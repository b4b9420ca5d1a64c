// The port over Node for one Artillery VU: keep-alive HTTP (http-client.ts), samples into the
// process's metrics stream with k6's built-in metric and tag names, and a few of Artillery's
// own custom metrics so its native report shows moshpit's operations too.
import { ENGINE_METRICS } from '../../../core/metric-names.js';
import { createHmac } from 'node:crypto';
import { isExpectedStatus, type HttpRequest, type HttpResponse, type IterationInfo, type LoadPort, type Tags } from '../../../core/load-port.js';
import { send } from './http-client.js';
import type { StreamSink } from './stream-sink.js';

/** Artillery's per-VU event emitter (processor functions get it as their second argument). */
export interface ArtilleryEvents { emit(kind: 'histogram' | 'counter', name: string, value: number): void }

const THINK_CHECK_MS = 2000;

export class ArtilleryPort implements LoadPort {
  constructor(
    private readonly sink: StreamSink,
    private readonly events: ArtilleryEvents,
    /** Process tags (scenario, flow) plus the lane's scenario tag. */
    private readonly baseTags: Tags,
    readonly vuTags: Tags,
    readonly iteration: IterationInfo,
    /** Think time never runs past this instant (the schedule's end + graceful stop). */
    private readonly sleepDeadlineMs: () => number = () => Infinity,
    /** A closed-model VU the schedule no longer wants stops thinking (checked every few seconds). */
    private readonly unwanted: () => boolean = () => false,
  ) {}

  private tags(extra?: Tags): Tags {
    return { ...this.baseTags, ...this.vuTags, ...(extra ?? {}) };
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await send(req);
    const expected = res.status !== 0 && isExpectedStatus(req.expected, res.status);
    const tags = this.tags({ ...req.tags, method: req.method, status: String(res.status), expected_response: String(expected), ...(res.error ? { error: res.error } : {}) });
    this.sink.trend(ENGINE_METRICS.httpReqDuration, res.durationMs, tags);
    this.sink.rate(ENGINE_METRICS.httpReqFailed, !expected, tags);
    this.sink.counter(ENGINE_METRICS.httpReqs, 1, tags);
    this.events.emit('histogram', `moshpit.http.${req.tags.op ?? 'request'}`, res.durationMs);
    if (!expected) this.events.emit('counter', 'moshpit.http.failed', 1);
    return res;
  }

  batch(reqs: HttpRequest[]): Promise<HttpResponse[]> {
    return Promise.all(reqs.map((r) => this.request(r)));
  }

  async sleep(seconds: number): Promise<void> {
    // A user thinking past the end of the run stops thinking: the process must end by itself.
    const until = Math.min(Date.now() + Math.max(0, seconds * 1000), this.sleepDeadlineMs());
    // Long thinks wake every few seconds, so a ramp-down is followed within that (one timer each).
    for (;;) {
      const left = until - Date.now();
      if (left <= 0 || this.unwanted()) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, THINK_CHECK_MS)));
    }
  }

  hmacSha256Hex(key: string, data: string): string {
    return createHmac('sha256', key).update(data).digest('hex');
  }

  counter(name: string, value: number, tags?: Tags): void {
    this.sink.counter(name, value, this.tags(tags));
    this.events.emit('counter', name, value);
  }

  trend(name: string, value: number, tags?: Tags): void {
    this.sink.trend(name, value, this.tags(tags));
  }

  rate(name: string, ok: boolean, tags?: Tags): void {
    this.sink.rate(name, ok, this.tags(tags));
  }

  check(name: string, ok: boolean, tags?: Tags): boolean {
    this.sink.rate(ENGINE_METRICS.checks, ok, this.tags({ ...tags, check: name }));
    if (!ok) this.events.emit('counter', 'moshpit.checks.failed', 1);
    return ok;
  }
}
