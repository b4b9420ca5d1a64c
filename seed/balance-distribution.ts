// Starting balances (integer cents) shaped like a festival crowd just after top-up: a tail of
// nearly empty wallets so insufficient-funds rejections really happen under load, most people
// with 20-100, some big spenders.
import { rowInt, rowRandom } from './deterministic-random.js';

export interface BalanceBand {
  share: number;       // fraction of wallets
  minCents: number;
  maxCents: number;
  stepCents: number;   // top-ups come in round amounts; leftovers do not
}

export const BALANCE_BANDS: readonly BalanceBand[] = [
  { share: 0.10, minCents: 0, maxCents: 500, stepCents: 1 },          // nearly empty
  { share: 0.05, minCents: 550, maxCents: 1950, stepCents: 50 },      // running low
  { share: 0.70, minCents: 2000, maxCents: 10000, stepCents: 50 },    // typical
  { share: 0.15, minCents: 10050, maxCents: 30000, stepCents: 50 },   // big spenders
];

const BAND_STREAM = 10;
const AMOUNT_STREAM = 11;

export function openingBalanceCents(seed: number, row: number): number {
  const u = rowRandom(seed, row, BAND_STREAM);
  let cumulative = 0;
  let band = BALANCE_BANDS[BALANCE_BANDS.length - 1]!;
  for (const b of BALANCE_BANDS) {
    cumulative += b.share;
    if (u < cumulative) { band = b; break; }
  }
  const steps = (band.maxCents - band.minCents) / band.stepCents;
  return band.minCents + rowInt(seed, row, AMOUNT_STREAM, 0, steps) * band.stepCents;
}
