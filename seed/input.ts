// Validation of everything a caller hands the seed and rollback: runs before any connection
// is opened, so bad input gets a clear message and the database is never touched.

/** Bad input to seed/rollback (the CLI turns it into a UsageError). */
export class SeedInputError extends Error {}

export const DEFAULT_PREFIX = 'k6-test-';
export const MAX_WALLETS = 10_000_000;

const PREFIX_SHAPE = /^[A-Za-z0-9_-]{2,}[-_]$/;

/**
 * A test-data prefix must be unmistakable: at least 3 characters, only [A-Za-z0-9_-], ending in
 * '-' or '_'. That rules out '' or 'k' (which would match real wallets) and LIKE wildcards.
 */
export function validatePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX_SHAPE.test(prefix)) {
    throw new SeedInputError(
      `invalid test-data prefix ${JSON.stringify(prefix)}: it must be at least 3 characters of [A-Za-z0-9_-] ` +
        `ending in '-' or '_' (e.g. 'k6-test-'), so it cannot match non-test data`,
    );
  }
  return prefix;
}

/** A whole number within [min, max]; anything else (float, NaN, string, negative) is refused. */
export function validateWholeNumber(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new SeedInputError(`${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Parses a command-line integer strictly: '5000' yes; '5e3', '5000.0', '-1', '0x10', '' no. */
export function parseWholeNumberFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new SeedInputError(`${flag} must be a whole number, got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new SeedInputError(`${flag} is too large: ${text}`);
  return n;
}
