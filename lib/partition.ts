// Disjoint wallet slices per state-changing workload, so no two flows ever touch one wallet
// and every expectation a flow derives from a wallet's state stays true until it acts.
// Inside a slice, lanes (doors, terminals) interleave: lane l takes positions l, l+L, l+2L, ...
import { WALLET_PARTITION, type StatefulWorkload } from '../core/profiles.js';

export interface WalletSlice { start: number; end: number }

const ORDER: StatefulWorkload[] = ['entry', 'reentry', 'concession', 'funding'];

export function partitionWallets(count: number): Record<StatefulWorkload, WalletSlice> {
  const out = {} as Record<StatefulWorkload, WalletSlice>;
  let cumulative = 0;
  for (const w of ORDER) {
    const start = Math.floor(count * cumulative);
    cumulative += WALLET_PARTITION[w];
    out[w] = { start, end: w === ORDER[ORDER.length - 1] ? count : Math.floor(count * cumulative) };
  }
  return out;
}

/** Wallets one lane of a slice cycles through. */
export function laneSize(slice: WalletSlice, lanes: number): number {
  return Math.floor((slice.end - slice.start) / lanes);
}

/**
 * Index into wallets.json for a lane's n-th iteration (IterationInfo.iteration: gap-free per
 * lane across the run). A wallet comes round again only after laneSize iterations of that lane.
 */
export function walletIndex(slice: WalletSlice, iteration: number, lane: number, lanes: number): number {
  const size = laneSize(slice, lanes);
  return slice.start + (iteration % size) * lanes + lane;
}
