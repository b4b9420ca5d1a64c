// The compact live view of `moshpit db-monitor`: one fixed-width line per sample.
import type { DatabaseSample, SampleRates } from './db-monitor.js';

const COLUMNS: Array<[title: string, width: number]> = [
  ['time', 8], ['conns', 5], ['act', 4], ['idle', 4], ['iit', 4], ['lockw', 5], ['blkd', 4],
  ['commit/s', 9], ['rollbk/s', 8], ['ins/s', 8], ['upd/s', 8], ['del/s', 8], ['WAL/s', 8],
  ['cache%', 6], ['dlk', 4], ['oldest-tx', 9],
];

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(COLUMNS[i]![1]) : c.padStart(COLUMNS[i]![1]))).join(' ');
}

export function headerLine(): string {
  return row(COLUMNS.map(([t]) => t));
}

const dash = '-';
const rateText = (v: number | null | undefined) => (v === null || v === undefined ? dash : v >= 100 ? v.toFixed(0) : v.toFixed(1));

function bytesText(v: number | null | undefined): string {
  if (v === null || v === undefined) return dash;
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)}M`;
  if (v >= 1024) return `${(v / 1024).toFixed(1)}k`;
  return `${v.toFixed(0)}B`;
}

function secondsText(s: number): string {
  if (s <= 0) return dash;
  return s >= 60 ? `${(s / 60).toFixed(1)}m` : `${s.toFixed(1)}s`;
}

/** `rates` is null for the first sample: there is no previous one to take a difference from. */
export function sampleLine(sample: DatabaseSample, rates: SampleRates | null): string {
  const c = sample.connections;
  const cache = rates?.intervalCacheHitRatio ?? sample.cacheHitRatio;
  return row([
    new Date(sample.takenAt).toTimeString().slice(0, 8),
    String(c.total), String(c.active), String(c.idle), String(c.idleInTransaction + c.idleInTransactionAborted),
    String(sample.lockWaits), String(sample.blockedQueries),
    rateText(rates?.commitsPerSecond), rateText(rates?.rollbacksPerSecond),
    rateText(rates?.tuplesInsertedPerSecond), rateText(rates?.tuplesUpdatedPerSecond), rateText(rates?.tuplesDeletedPerSecond),
    bytesText(rates?.walBytesPerSecond),
    cache === null ? dash : (cache * 100).toFixed(1),
    rates?.deadlocks === null || rates?.deadlocks === undefined ? String(sample.counters.deadlocks) : String(rates.deadlocks),
    secondsText(sample.longestTransactionSeconds),
  ]);
}

export const LEGEND = [
  'conns/act/idle/iit: connections to this database (iit: idle in transaction)   lockw: lock requests waiting   blkd: blocked queries',
  '*/s: per second since the previous line   WAL/s: write volume   cache%: buffer hit ratio   dlk: new deadlocks   oldest-tx: oldest open transaction',
].join('\n');
