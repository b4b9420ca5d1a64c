// Small random helpers for the flows (plain Math.random: no engine API, no per-VU state).
import type { Range } from '../core/profiles.js';

export function chance(probability: number): boolean {
  return Math.random() < probability;
}

/** Integer in [min, max]. */
export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

export function between(range: Range): number {
  return range.min + Math.random() * (range.max - range.min);
}

export function pick<T>(items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(Math.random() * items.length)] as T;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC.charAt(Math.floor(Math.random() * ALPHANUMERIC.length));
  return out;
}
