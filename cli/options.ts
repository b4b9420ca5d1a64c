// Shared option parsing for CLI commands.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/usage-error.js';

/** --defects a,b: validated against the target's list, so a typo never runs a "correct" target by accident. */
export async function parseDefects(raw: string | undefined): Promise<string[]> {
  if (!raw) return [];
  const { DEFECT_MODES } = await import('../platform/server/defects.js');
  const known = new Set<string>(DEFECT_MODES as readonly string[]);
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((d) => !known.has(d));
  if (unknown.length) throw new UsageError(`unknown defect mode(s): ${unknown.join(', ')}. Valid: ${[...known].join(', ')}`);
  return list;
}

export function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  // Digits only: '1e3', '0x10', ' 5' and '5.0' are typos here, not numbers to guess at.
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer (digits only), got '${raw}'`);
  return n;
}

/** node:util parseArgs, with its errors (unknown option, missing value) raised as UsageError. */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
