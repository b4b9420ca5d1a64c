// The shared wallets of the contention scenario: a few groups (a family, a crew of friends)
// that each pay from one wallet. Taken from the concession workload's slice of wallets.json,
// the richest first (a group wallet is funded for several people), identically everywhere.
import type { ProfileName } from '../../core/profiles.js';
import type { WalletFixture } from '../fixtures.js';
import type { Runtime } from '../runtime.js';

/** Group wallets per profile: few, so every terminal keeps landing on the same rows. */
export const GROUP_WALLETS: Record<ProfileName, number> = {
  smoke: 3,
  pilot: 5,
  'festival-day': 5,
  peak: 5,
  soak: 5,
  breakpoint: 5,
};

// Derived once per runtime and shared read-only by every iteration of the process.
const cache = new WeakMap<Runtime, WalletFixture[]>();

export function groupWallets(rt: Runtime): WalletFixture[] {
  const cached = cache.get(rt);
  if (cached) return cached;
  const { start, end } = rt.partition.concession;
  const slice: WalletFixture[] = [];
  for (let i = start; i < end; i++) slice.push(rt.fixtures.wallets[i] as WalletFixture);
  // Ties broken by id: every process (every k6 VU) must pick the same wallets.
  slice.sort((a, b) => b.opening_balance_cents - a.opening_balance_cents || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const groups = slice.slice(0, GROUP_WALLETS[rt.profile.name]);
  if (groups.length === 0) throw new Error('moshpit: the concession slice of wallets.json is empty: seed more wallets');
  cache.set(rt, groups);
  return groups;
}
