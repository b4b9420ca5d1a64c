// The process's metrics stream file: samples go into a StreamAggregator, finished seconds are
// appended as JSON lines once a second, and the end record is written when the last planned
// VU is done (Artillery terminates its worker threads without running exit handlers).
// With MOSHPIT_INFLUX_WRITE every sample also goes to InfluxDB (influx-forwarder.ts); end()
// starts its last write, which the processor awaits with flushAndClose(). When that config asks
// for `records`, the stream's own records go there too, for a verdict read back by run id.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Tags } from '../../../core/load-port.js';
import { StreamAggregator } from '../../../core/metrics-stream/aggregator.js';
import { STREAM_VERSION, type EndRecord, type StartRecord, type StreamRecord } from '../../../core/metrics-stream/records.js';
import { StreamRecordEncoder } from '../../../monitoring/influx/stream-records.js';
import { influxForwarderFromEnv, type InfluxForwarder } from './influx-forwarder.js';

export class StreamSink {
  private readonly agg = new StreamAggregator();
  private readonly timer: ReturnType<typeof setInterval>;
  private ended = false;
  private readonly shipped: StreamRecordEncoder | null;

  constructor(
    private readonly file: string,
    start: Omit<StartRecord, 'v' | 'type'>,
    private readonly influx: InfluxForwarder | null = influxForwarderFromEnv(process.env, { source: start.source }),
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.shipped = influx?.config.records ? new StreamRecordEncoder(start.runId, start.source, start.startedAt) : null;
    this.write([{ v: STREAM_VERSION, type: 'start', ...start }]);
    this.timer = setInterval(() => this.flush(false), 1000);
    this.timer.unref();
  }

  trend(m: string, value: number, tags: Tags, time = true): void { this.agg.trend(Date.now(), m, value, tags, time); this.influx?.sample('trend', m, value, tags); }
  counter(m: string, value: number, tags: Tags): void { this.agg.counter(Date.now(), m, value, tags); this.influx?.sample('counter', m, value, tags); }
  rate(m: string, ok: boolean, tags: Tags): void { this.agg.rate(Date.now(), m, ok, tags); this.influx?.sample('rate', m, ok, tags); }
  gauge(m: string, value: number, tags: Tags): void { this.agg.gauge(Date.now(), m, value, tags); this.influx?.sample('gauge', m, value, tags); }

  /** Appends every finished second (or everything, at the end). */
  flush(all: boolean): void {
    const windows = this.agg.drain(all ? Infinity : Math.floor(Date.now() / 1000));
    if (windows.length) this.write(windows);
  }

  end(info: EndRecord['info']): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    this.flush(true);
    this.write([{ v: STREAM_VERSION, type: 'end', endedAt: Date.now(), info }]);
    void this.influx?.close();
  }

  private write(records: StreamRecord[]): void {
    // Synchronous: a line is either whole on disk or not there when the worker is terminated.
    appendFileSync(this.file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    if (!this.shipped) return;
    try {
      this.influx!.pushLines(this.shipped.lines(records));
    } catch (err) {
      // The local file has it; the readback will name the gap.
      process.stderr.write(`moshpit: stream records not shipped to InfluxDB: ${(err as Error).message}\n`);
    }
  }
}
