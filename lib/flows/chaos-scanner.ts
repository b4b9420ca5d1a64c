// An entry scanner that goes offline (fault scanner-offline). While it is offline the door's
// queue shifts to the other door (lib/chaos/chaos-target.ts reroutes the door's load), and the
// scanner itself keeps validating wristbands against the guest list it cached before the
// outage, storing each scan with the idempotency key it generated at the tap. On reconnect it
// uploads the queue in a burst with those original keys; a flaky reconnect then sends the same
// burst again, and every scan must come back as a replay of its first answer.
// One VU (workload chaos_scanner), one iteration, plays the offline scanners of every
// scanner-offline window (the device's sequence of windows is its state).
import { sleepUntil } from '../chaos/clock.js';
import { requireSeconds, type ChaosContext } from '../chaos/context.js';
import { cacheWallets, idleToEnd, sendBurst, WalletCursor, type CachedWallet } from '../chaos/devices.js';
import { countBurstReplay, countOfflineScan, invariant } from '../chaos/metrics.js';
import { devicesOfWindow, windowsOf } from '../chaos/schedule.js';
import { paramNumber } from '../../core/faults.js';
import { newIdempotencyKey } from '../idempotency.js';
import { recordReplay } from '../metrics.js';
import type { EntryScanBody, OpResult } from '../targets/index.js';
import { endState, expectThat, observeBalance, settle, type Accept } from '../verdicts.js';

/** The scanner refreshes its guest list this long before it goes offline. */
const CACHE_LEAD_S = 2;

interface OfflineScan { walletId: string; gatewayId: string; key: string; state: CachedWallet; tS: number }

function predict(state: CachedWallet, fee: number): { accept: Accept; fee: number } {
  const due = state.entryCount === 0 ? 0 : fee;
  if (state.blocked) return { accept: ['wallet_blocked'], fee: due };
  if (state.inside) return { accept: ['duplicate_entry'], fee: due };
  if (state.balance < due) return { accept: ['insufficient_funds'], fee: due };
  return { accept: ['acked', 'capacity_reached'], fee: due };
}

export async function chaosScannerDevice(ctx: ChaosContext): Promise<void> {
  const { rt, port } = ctx;
  const { env, clock, calls, devices, doors } = ctx.chaos;
  const reentryFee = rt.fixtures.manifest.settings.reentry_fee_cents;
  const pool = new WalletCursor(rt, devices.scanner);

  for (const w of windowsOf(env, 'scanner-offline')) {
    const offline = devicesOfWindow(w, doors.length);
    const end = w.startS + w.durationS;
    if (!offline.length || requireSeconds(ctx) >= end) continue;
    const n = Math.max(1, Math.floor((paramNumber(w, 'scansPerMin') * w.durationS) / 60));
    const wallets = pool.take(n);

    await sleepUntil(port, clock, w.startS - CACHE_LEAD_S);
    const cache = await cacheWallets(ctx, wallets);
    await sleepUntil(port, clock, w.startS);

    // Offline: taps are validated locally and queued with the key generated at the tap.
    const queue: OfflineScan[] = [];
    for (let i = 0; i < wallets.length; i++) {
      await sleepUntil(port, clock, w.startS + (i * w.durationS) / wallets.length);
      const tS = requireSeconds(ctx);
      if (tS >= end) break;
      const walletId = wallets[i]!;
      const state = cache.get(walletId);
      if (!state) continue;
      const gatewayId = doors[offline[i % offline.length]!]!.id;
      queue.push({ walletId, gatewayId, key: newIdempotencyKey(ctx, 'entry', walletId), state, tS });
    }

    // Reconnect: the queue goes up in one burst, with the original keys.
    await sleepUntil(port, clock, end);
    const prepared = queue.map((s) => calls.entryScan({ walletId: s.walletId, gatewayId: s.gatewayId, idempotencyKey: s.key }));
    const first: Array<OpResult<EntryScanBody>> = await sendBurst(ctx, prepared);
    first.forEach((r, i) => {
      const scan = queue[i]!;
      const { accept, fee } = predict(scan.state, reentryFee);
      const body = r.outcome === 'acked' ? r.body : null;
      settle(ctx, r, accept, 'an offline scan replayed on reconnect has the outcome the guest list predicts', body && typeof body.fee_cents === 'number' ? body.fee_cents : fee);
      countOfflineScan(port, endState(r));
      if (body) {
        expectThat(ctx, 'an offline scan is admitted with the right entry number and fee',
          body.entry_number === scan.state.entryCount + 1 && body.fee_cents === fee, 'entry');
        observeBalance(ctx, 'entry', body.balance_cents, scan.state.balance - fee);
      }
    });

    // The flaky reconnect sends the whole burst again: nothing may happen twice.
    const again = await sendBurst(ctx, prepared);
    countBurstReplay(port, 'scanner', again.length);
    again.forEach((r, i) => {
      const was = first[i]!;
      if (was.outcome === 'indeterminate') return; // never answered: the resend is the write itself
      recordReplay(port, 'entry');
      invariant(port, 'a scan resent with its original key is answered from its first result', r.outcome === 'indeterminate' || (r.replayed && endState(r) === endState(was)));
    });
  }
  await idleToEnd(ctx);
}
