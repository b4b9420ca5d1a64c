// SQL helpers for selecting one prefix's test rows. LIKE treats '_' as a wildcard, so the
// prefix is escaped: 'k6_test_' must not match 'k6xtestx...'.
import { validatePrefix } from './input.js';

/** LIKE pattern matching ids that start with the prefix (default escape character '\'). */
export function prefixLikePattern(prefix: string): string {
  return `${validatePrefix(prefix).replace(/[\\%_]/g, '\\$&')}%`;
}

/** Advisory lock key shared by seed and rollback, so the two never interleave on one prefix. */
export function prefixLockName(prefix: string): string {
  return `moshpit-test-data:${prefix}`;
}

/** What every seeded wallet id of the prefix starts with. */
export function seededWalletIdPrefix(prefix: string): string {
  return `${prefix}w-`;
}

export function walletId(prefix: string, index: number): string {
  return `${seededWalletIdPrefix(prefix)}${String(index).padStart(6, '0')}`;
}

export function probeWalletId(prefix: string): string {
  return `${prefix}probe`;
}

/** Regex (PostgreSQL and JS) for seeded wallet ids: the prefix is [A-Za-z0-9_-] only, no escaping needed. */
export function seededWalletIdRegex(prefix: string): string {
  return `^${validatePrefix(prefix)}w-[0-9]+$`;
}
