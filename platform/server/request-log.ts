// The JSON-lines request log (MOSHPIT_TARGET_LOG): one line per request, appended through a
// buffered stream. Field names are the log analyzer's contract; route is always a template.
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import type { TargetKind } from '../../core/target-kind.js';

export type LogOperation = 'entry' | 'exit' | 'order' | 'recharge' | 'funding_intent' | 'funding_webhook' | 'wallet_read' | 'health';
/** The surface a request came in on. */
export type Surface = TargetKind;

export interface RequestLogEntry {
  ts: string;
  req_id: string;
  method: string;
  route: string | null;
  status: number;
  code: string | null;
  latency_ms: number;
  op: LogOperation | null;
  surface: Surface;
  replayed: boolean;
  wallet_id: string | null;
  /** Server-level defect mode that shaped this answer. */
  defect?: string;
  /** Internal error message (never sent to the client). */
  error?: string;
}

export class RequestLog {
  private constructor(private readonly stream: WriteStream | null) {}

  /** Opens synchronously so an unwritable path is a startup error, not a silent loss. */
  static open(path: string | null): RequestLog {
    if (path === null) return new RequestLog(null);
    const fd = openSync(path, 'a');
    return new RequestLog(createWriteStream(path, { fd, highWaterMark: 64 * 1024 }));
  }

  /** False without a log file: callers skip building entries nobody writes. */
  get enabled(): boolean {
    return this.stream !== null;
  }

  write(entry: RequestLogEntry): void {
    this.stream?.write(`${JSON.stringify(entry)}\n`);
  }

  close(): Promise<void> {
    const stream = this.stream;
    if (stream === null) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }
}
