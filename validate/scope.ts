// Scope of a validation: the test-data prefix (wallet ids) and optionally one run's keys.
import { runKeyPrefix } from '../core/operations.js';
import type { Scope } from './types.js';

export const DEFAULT_PREFIX = 'k6-test-';

/** LIKE pattern matching strings that start with `literal` (%, _ and \ escaped). */
export function startsWithPattern(literal: string): string {
  return `${literal.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function makeScope(prefix: string = DEFAULT_PREFIX, runId?: string | null): Scope {
  // An empty prefix would validate every wallet in the database, production ones included.
  if (!prefix) throw new Error('the test-data prefix must not be empty');
  return {
    prefix,
    runId: runId ?? null,
    walletLike: startsWithPattern(prefix),
    runKeyLike: runId ? startsWithPattern(runKeyPrefix(runId)) : null,
  };
}
