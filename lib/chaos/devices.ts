// Shared by the offline device flows (scanner, terminal): the device's own wallets, its cached
// view of them, and sending a burst of writes (concurrently, then one-by-one resends with the
// same keys for whatever the burst left unanswered).
import { attemptRead } from '../attempts.js';
import type { WalletSlice } from '../partition.js';
import type { Runtime } from '../runtime.js';
import type { OpResult } from '../targets/index.js';
import { batch, run, type PreparedCall } from './calls.js';
import { requireSeconds, type ChaosContext } from './context.js';

export const BURST_CHUNK = 20;
/** A write left unanswered by the burst is resent (same key) until answered or this deadline. */
const RESEND_DEADLINE_MS = 60_000;
const MAX_RESENDS = 40;

/** Cycles through a device's wallets: each call takes the next n (wrapping round). One per device flow. */
export class WalletCursor {
  private next = 0;
  constructor(private readonly rt: Runtime, private readonly slice: WalletSlice) {}

  get size(): number {
    return this.slice.end - this.slice.start;
  }

  take(n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < Math.min(n, this.size); i++) {
      out.push(this.rt.fixtures.wallets[this.slice.start + ((this.next + i) % this.size)]!.id);
    }
    this.next = (this.next + out.length) % Math.max(1, this.size);
    return out;
  }
}

export interface CachedWallet { balance: number; blocked: boolean; inside: boolean; entryCount: number }

/** What the device knows before it goes offline (its guest list / balance cache). */
export async function cacheWallets(ctx: ChaosContext, ids: readonly string[]): Promise<Map<string, CachedWallet>> {
  const cache = new Map<string, CachedWallet>();
  for (const id of ids) {
    const r = await attemptRead(ctx, 'wallet_read', () => ctx.target.readWallet(id));
    if (r.outcome === 'acked' && r.body) {
      cache.set(id, { balance: r.body.balance_cents, blocked: r.body.status === 'blocked', inside: r.body.inside, entryCount: r.body.entry_count });
    }
  }
  return cache;
}

const unresolved = (r: OpResult<unknown>) => r.outcome === 'indeterminate' || r.code === 'idempotency_key_in_flight';

/**
 * Sends every call: in concurrent chunks first (the burst), then each unanswered one again, one
 * at a time with its own key, until answered or the deadline. Answers in the order of calls.
 */
export async function sendBurst<B>(ctx: ChaosContext, prepared: ReadonlyArray<PreparedCall<B>>): Promise<Array<OpResult<B>>> {
  const out: Array<OpResult<B>> = [];
  for (let i = 0; i < prepared.length; i += BURST_CHUNK) out.push(...(await batch(ctx, prepared.slice(i, i + BURST_CHUNK))));
  const deadline = Date.now() + RESEND_DEADLINE_MS;
  let resends = 0;
  for (let i = 0; i < out.length; i++) {
    let backoff = ctx.rt.profile.client.retryBackoffMs / 1000;
    while (unresolved(out[i]!) && Date.now() < deadline && resends < MAX_RESENDS) {
      await ctx.port.sleep(backoff);
      backoff = Math.min(backoff * 2, 4);
      resends++;
      out[i] = await run(ctx, prepared[i]!);
    }
  }
  return out;
}

/**
 * After the last window: idle until the timeline ends (at least a second), so an engine that
 * loops the device's iteration instead of running it once never spins.
 */
export async function idleToEnd(ctx: ChaosContext): Promise<void> {
  await ctx.port.sleep(Math.max(1, ctx.chaos.env.durationS - requireSeconds(ctx)));
}
