// Streams the target's JSON-lines request log (platform/server/request-log.ts): one entry per
// request, parsed and checked field by field. Lines that are not an entry (a torn last line,
// another program's output) are counted, never guessed at.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface LogEntry {
  /** Epoch ms of the answer. */
  ts: number;
  method: string;
  /** Route template (e.g. /v1/wallets/:id); null when no route matched. */
  route: string | null;
  status: number;
  code: string | null;
  latencyMs: number;
  op: string | null;
  surface: string;
  replayed: boolean;
  walletId: string | null;
  /** Reference target only: the defect mode that shaped this answer. */
  defect: string | null;
}

export interface ReadCounts {
  /** Non-empty lines read. */
  lines: number;
  /** Lines that are not a request-log entry. */
  malformed: number;
  /** Entries outside the requested time window. */
  outsideWindow: number;
}

export interface Window { fromMs: number; toMs: number }

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** One line → an entry, or null when the line is not one. */
export function parseLogLine(line: string): LogEntry | null {
  let raw: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    raw = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const ts = typeof raw.ts === 'string' ? Date.parse(raw.ts) : NaN;
  const status = raw.status;
  const latency = raw.latency_ms;
  if (!Number.isFinite(ts) || typeof status !== 'number' || !Number.isInteger(status) || typeof latency !== 'number' || !Number.isFinite(latency)) return null;
  return {
    ts,
    method: str(raw.method) ?? '?',
    route: str(raw.route),
    status,
    code: str(raw.code),
    latencyMs: latency,
    op: str(raw.op),
    surface: str(raw.surface) ?? '?',
    replayed: raw.replayed === true,
    walletId: str(raw.wallet_id),
    defect: str(raw.defect),
  };
}

/**
 * Entries of the log (inside `window` when given), in file order; `counts` fills as it reads.
 * `fromByte`: start there (the log's size when a run began), not at the top of a log that
 * an on-demand stack keeps appending to across runs.
 */
export async function* readRequestLog(path: string, counts: ReadCounts, window?: Window, fromByte = 0): AsyncGenerator<LogEntry> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', start: fromByte }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    counts.lines++;
    const entry = parseLogLine(line);
    if (!entry) {
      counts.malformed++;
      continue;
    }
    if (window && (entry.ts < window.fromMs || entry.ts > window.toMs)) {
      counts.outsideWindow++;
      continue;
    }
    yield entry;
  }
}
