// PostgreSQL returns bigint and numeric as strings. Checkers compare money in SQL; in Node
// an integer becomes a number only when it is a safe integer, otherwise it stays the exact string.
import pg from 'pg';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export function parseDbInteger(text: string): number | string {
  if (!/^-?\d+$/.test(text)) return text; // a fraction: keep it exact, never round money
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** pg client `types` option applying parseDbInteger to bigint and numeric columns. */
export const dbIntegerTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return parseDbInteger;
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** A count or sum that must be a safe integer to be used in Node arithmetic. */
export function safeInt(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (value === null || value === undefined) return 0;
  throw new RangeError(`${what} is not a safe integer: ${String(value)}`);
}
