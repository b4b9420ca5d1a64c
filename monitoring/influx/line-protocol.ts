// InfluxDB v1 line protocol: `measurement,tag=v field=1,n=2i 1700000000000` (ms precision).
// Escaping follows the v1 spec; what the v1 parser cannot read back faithfully (newlines in
// names or tags, a trailing backslash before a separator) is rejected rather than mangled.

/** An integer field (written with the `i` suffix). Plain JS numbers are always floats, so a
 *  field never flips type between points (InfluxDB rejects a type change within a shard). */
export interface IntField { readonly int: bigint }
export type FieldValue = number | IntField | bigint | boolean | string;

export interface Point {
  measurement: string;
  /** Undefined or empty values are left out: InfluxDB has no empty tag value. */
  tags?: Record<string, string | undefined>;
  fields: Record<string, FieldValue | undefined>;
  /** Epoch milliseconds or a Date; the server's clock when omitted. */
  time?: number | Date;
}

export class LineProtocolError extends Error {}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Marks a value as an integer field. */
export function int(value: number | bigint): IntField {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new LineProtocolError(`int(): ${value} is not a safe integer`);
  const big = BigInt(value);
  if (big < INT64_MIN || big > INT64_MAX) throw new LineProtocolError(`int(): ${value} is outside int64`);
  return { int: big };
}

function checkName(what: string, s: string): void {
  if (s.length === 0) throw new LineProtocolError(`${what} is empty`);
  // Lines split on newlines before any unescaping. A backslash is literal in names and tags
  // (1.x leaves `\\` as is) except before `,`/`=`/space: a trailing one would eat the separator.
  if (/[\n\r]/.test(s)) throw new LineProtocolError(`${what} ${JSON.stringify(s)} contains a newline`);
  if (s.endsWith('\\')) throw new LineProtocolError(`${what} ${JSON.stringify(s)} ends with a backslash`);
}

export function escapeMeasurement(s: string): string {
  checkName('measurement', s);
  if (s.startsWith('#')) throw new LineProtocolError(`measurement ${JSON.stringify(s)} starts with '#' (a comment line)`);
  return s.replace(/[, ]/g, (c) => `\\${c}`);
}

function escapeTagOrField(what: string, s: string): string {
  checkName(what, s);
  return s.replace(/[,= ]/g, (c) => `\\${c}`);
}

function checkNotTime(what: string, key: string): void {
  // `time` is the timestamp column: the server refuses a tag or field of that name.
  if (key === 'time') throw new LineProtocolError(`${what} may not be "time"`);
}

export function escapeTagKey(key: string): string {
  checkNotTime('tag key', key);
  return escapeTagOrField('tag key', key);
}

export function escapeTagValue(value: string, key = '?'): string {
  return escapeTagOrField(`tag ${key} value`, value);
}

export function escapeFieldKey(key: string): string {
  checkNotTime('field key', key);
  return escapeTagOrField('field key', key);
}

export function escapeStringField(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function formatFieldValue(key: string, v: FieldValue): string {
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw new LineProtocolError(`field ${key}: ${v} is not a finite number`);
      return String(v);
    case 'bigint':
      return `${int(v).int}i`;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return escapeStringField(v);
    default:
      if (v && typeof v === 'object' && typeof v.int === 'bigint') return `${int(v.int).int}i`;
      throw new LineProtocolError(`field ${key}: unsupported value ${String(v)}`);
  }
}

export function timestampMs(t: number | Date): number {
  const ms = t instanceof Date ? t.getTime() : t;
  if (!Number.isSafeInteger(ms)) throw new LineProtocolError(`timestamp ${String(t)} is not an integer of milliseconds`);
  return ms;
}

/** One point as a line (no trailing newline), for a write with precision=ms. */
export function toLine(p: Point): string {
  let line = escapeMeasurement(p.measurement);
  // Sorted tags are what the server stores anyway; sending them sorted saves it the work.
  const tags = Object.entries(p.tags ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  tags.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of tags) line += `,${escapeTagKey(k)}=${escapeTagValue(v, k)}`;
  const fields = Object.entries(p.fields).filter((e): e is [string, FieldValue] => e[1] !== undefined);
  if (fields.length === 0) throw new LineProtocolError(`point ${p.measurement} has no fields`);
  line += ` ${fields.map(([k, v]) => `${escapeFieldKey(k)}=${formatFieldValue(k, v)}`).join(',')}`;
  if (p.time !== undefined) line += ` ${timestampMs(p.time)}`;
  return line;
}

export function toLines(points: Point[]): string {
  return points.map(toLine).join('\n');
}
