// A concession terminal that goes offline (fault concession-offline). Its online sales stop
// (lib/flows/chaos-load.ts) and it keeps selling offline against the balances it cached before
// the outage, numbering each sale with a device order id and a device sequence number. Its
// customers also pay at bars that are online meanwhile, which the offline till cannot see: when
// it syncs its queue in a burst on reconnect, some sales are no longer covered and must come
// back as offline shortfalls (debited what was there, the rest recorded for collection), never
// as a negative balance. At that moment one customer also pays online (the sync races an
// online order on the same wallet). Then the device, missing the answer, syncs again with the
// same key (the stored answer must come back), and once more under a new key (every sale must
// be a duplicate). One VU (workload chaos_terminal), one iteration, plays every offline terminal:
// device sequence numbers live in that iteration and never restart.
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import type { OfflineOrderInput, OfflineOrderResult, OfflineSyncBody, PreparedCall } from '../chaos/calls.js';
import { sleepUntil } from '../chaos/clock.js';
import { requireSeconds, type ChaosContext } from '../chaos/context.js';
import { cacheWallets, idleToEnd, sendBurst, WalletCursor } from '../chaos/devices.js';
import { countBurstReplay, countOfflineOrder, invariant } from '../chaos/metrics.js';
import { devicesOfWindow, windowsOf } from '../chaos/schedule.js';
import { paramNumber } from '../../core/faults.js';
import type { ProductFixture, TerminalFixture } from '../fixtures.js';
import { newIdempotencyKey } from '../idempotency.js';
import { standMenu } from '../menu.js';
import { recordReplay } from '../metrics.js';
import { chance, pick, randomInt } from '../random.js';
import type { OpResult, OrderLine } from '../targets/index.js';
import { expectThat, observeBalance, settle } from '../verdicts.js';

const CACHE_LEAD_S = 2;
const SYNC_CHUNK = 100;

interface Sale { terminal: TerminalFixture; order: OfflineOrderInput; totalCents: Cents }

function basket(menu: ProductFixture[], maxTotal: Cents): { items: OrderLine[]; total: Cents } | null {
  const affordable = menu.filter((p) => p.price_cents <= maxTotal);
  if (!affordable.length) return null;
  const product = pick(affordable);
  const quantity = Math.max(1, Math.min(randomInt(1, 3), Math.floor(maxTotal / product.price_cents)));
  return { items: [{ product_id: product.id, quantity }], total: product.price_cents * quantity };
}

/** The device's own counters, for the whole run: sequence numbers never restart. */
class DeviceCounters {
  private readonly sequences = new Map<string, number>();
  private syncs = 0;
  constructor(private readonly ctx: ChaosContext) {}

  nextSeq(terminalId: string): number {
    const seq = (this.sequences.get(terminalId) ?? 0) + 1;
    this.sequences.set(terminalId, seq);
    return seq;
  }

  /** A fresh sync key, unique in the run (vu and iteration are). */
  syncKey(terminalId: string): string {
    this.syncs += 1;
    return `${this.ctx.rt.config.runId}:offline_sync:${terminalId}:v${this.ctx.it.vu}-${this.ctx.it.iteration}-${this.syncs}`;
  }
}

/** What the sync answered about one sale, as an OpResult of that sale's logical write. */
function orderOutcome(sync: OpResult<OfflineSyncBody>, r: OfflineOrderResult | undefined): OpResult<OfflineOrderResult> {
  if (sync.outcome !== 'acked' || !r) return { ...sync, op: 'order', body: r ?? null };
  const outcome = r.ok ? 'acked' : r.http_status >= 500 ? 'indeterminate' : 'rejected';
  return { op: 'order', outcome, status: r.http_status, code: r.ok ? null : r.code ?? `http_${r.http_status}`, body: r, replayed: r.duplicate === true, durationMs: sync.durationMs };
}

export async function chaosTerminalDevice(ctx: ChaosContext): Promise<void> {
  const { rt, port } = ctx;
  const { env, clock, calls, devices } = ctx.chaos;
  const counters = new DeviceCounters(ctx);
  const terminals = rt.fixtures.terminals.slice(0, rt.profile.behaviour.terminals) as TerminalFixture[];
  const pool = new WalletCursor(rt, devices.terminal);

  for (const w of windowsOf(env, 'concession-offline')) {
    const offline = devicesOfWindow(w, terminals.length);
    const end = w.startS + w.durationS;
    if (!offline.length || requireSeconds(ctx) >= end) continue;
    const onlineBar = terminals[terminals.findIndex((_, i) => !offline.includes(i))]!;
    const sales = Math.max(1, Math.floor((paramNumber(w, 'salesPerMin') * w.durationS) / 60));
    const spendElsewhere = paramNumber(w, 'spendElsewhereRate');
    const customers = pool.take(Math.max(1, Math.ceil(sales / 2))); // most buy a round or two

    await sleepUntil(port, clock, w.startS - CACHE_LEAD_S);
    const cache = await cacheWallets(ctx, customers);
    // What the platform really holds (the till does not see online payments), when known.
    const real = new Map<string, Cents | null>();
    for (const [id, c] of cache) real.set(id, c.balance);
    await sleepUntil(port, clock, w.startS);

    const queue: Sale[] = [];
    for (let i = 0; i < sales; i++) {
      await sleepUntil(port, clock, w.startS + (i * w.durationS) / sales);
      if (requireSeconds(ctx) >= end) break;
      const walletId = customers[i % customers.length]!;
      const cached = cache.get(walletId);
      if (!cached || cached.blocked) continue; // the till refuses wristbands on its block list
      const terminal = terminals[offline[i % offline.length]!]!;
      const b = basket(standMenu(rt, terminal), cached.balance);
      if (!b) continue; // declined offline: the cached balance does not cover anything
      cached.balance -= b.total;
      const seq = counters.nextSeq(terminal.id);
      queue.push({
        terminal,
        totalCents: b.total,
        order: {
          device_order_id: `${terminal.id}:${rt.config.runId}:${seq}`,
          device_seq: seq,
          wallet_id: walletId,
          items: b.items,
          idempotency_key: newIdempotencyKey(ctx, 'order', walletId),
          sold_at: new Date().toISOString(),
        },
      });
      // The same customer also pays at a bar that is online: the till's cache goes stale.
      const known = real.get(walletId);
      if (known !== null && known !== undefined && known > 0 && chance(spendElsewhere)) {
        const spend = basket(standMenu(rt, onlineBar), Math.floor(known * (0.5 + Math.random() * 0.4)));
        if (spend) {
          const key = newIdempotencyKey(ctx, 'order', walletId);
          const r = await attemptWrite(ctx, 'order', rt.profile.client, () => ctx.target.order({ walletId, terminalId: onlineBar.id, items: spend.items, idempotencyKey: key }));
          settle(ctx, r, ['acked', 'insufficient_funds'], 'an online payment elsewhere during the outage is charged or declined', spend.total);
          real.set(walletId, r.outcome === 'acked' && r.body ? r.body.balance_cents : r.outcome === 'rejected' ? known : null);
        }
      }
    }
    await sleepUntil(port, clock, end);
    if (!queue.length) continue;

    // Reconnect: every offline till syncs its queue in one burst; meanwhile a customer pays
    // online at the same instant (the sync and the order race for the wallet row).
    const racer = queue[0]!.order.wallet_id;
    const raceBefore = real.get(racer) ?? null;
    const raceSpend = raceBefore !== null && raceBefore > 0 ? basket(standMenu(rt, onlineBar), raceBefore) : null;
    const raceCall = raceSpend ? calls.order({ walletId: racer, terminalId: onlineBar.id, items: raceSpend.items, idempotencyKey: newIdempotencyKey(ctx, 'order', racer) }) : null;
    const syncs: Array<{ terminal: TerminalFixture; sales: Sale[]; call: PreparedCall<OfflineSyncBody> }> = [];
    for (const t of terminals) {
      const mine = queue.filter((s) => s.terminal.id === t.id);
      for (let i = 0; i < mine.length; i += SYNC_CHUNK) {
        const chunk = mine.slice(i, i + SYNC_CHUNK);
        syncs.push({ terminal: t, sales: chunk, call: calls.offlineSync({ terminalId: t.id, orders: chunk.map((s) => s.order), idempotencyKey: counters.syncKey(t.id) }) });
      }
    }
    const answered = await sendBurst<unknown>(ctx, [...syncs.map((s) => s.call as PreparedCall<unknown>), ...(raceCall ? [raceCall as PreparedCall<unknown>] : [])]);
    const syncAnswers = answered.slice(0, syncs.length) as Array<OpResult<OfflineSyncBody>>;
    let raceCharged: Cents | null = null;
    if (raceCall && raceSpend) {
      const r = answered[syncs.length]!;
      settle(ctx, r, ['acked', 'insufficient_funds'], 'an online payment racing the offline sync is charged or declined', raceSpend.total);
      raceCharged = r.outcome === 'acked' ? raceSpend.total : r.outcome === 'rejected' ? 0 : null;
    }

    // Each sale's outcome: applied (maybe short), in order; the wallet never below zero.
    const debited = new Map<string, Cents>();
    const unknown = new Set<string>(); // wallets with a sale whose sync was never answered
    syncs.forEach((s, k) => {
      const sync = syncAnswers[k]!;
      expectThat(ctx, 'the offline sync is answered', sync.outcome === 'acked', 'order');
      const byId = new Map((sync.body?.results ?? []).map((r) => [r.device_order_id, r]));
      for (const sale of s.sales) {
        const r = byId.get(sale.order.device_order_id);
        const outcome = orderOutcome(sync, r);
        // One logical order write per sale: reconciled by validate/ like any order (cents = total).
        settle(ctx, outcome, ['acked'], 'a synced offline sale is recorded', sale.totalCents);
        if (outcome.outcome === 'indeterminate') unknown.add(sale.order.wallet_id);
        if (outcome.outcome !== 'acked' || !r) continue;
        const shortfall = r.shortfall_cents ?? 0;
        countOfflineOrder(port, r.status ?? 'unknown', shortfall);
        expectThat(ctx, 'a synced offline sale is applied at fixture prices', r.total_cents === sale.totalCents && !r.duplicate, 'order');
        invariant(port, 'an offline sale takes what the wallet covers and records the rest as shortfall',
          (r.debited_cents ?? -1) + shortfall === r.total_cents && (shortfall === 0) === (r.status === 'completed'));
        invariant(port, 'an offline sale never drives a balance negative', typeof r.balance_cents === 'number' && r.balance_cents >= 0);
        debited.set(sale.order.wallet_id, (debited.get(sale.order.wallet_id) ?? 0) + (r.debited_cents ?? 0));
      }
    });
    // Exact prediction where the real balance is known (the racer's depends on who won).
    for (const [walletId, before] of real) {
      if (before === null || !debited.has(walletId) || unknown.has(walletId)) continue;
      const racing = walletId === racer && raceCall !== null;
      if (racing && raceCharged === null) continue;
      const expected = before - (debited.get(walletId) ?? 0) - (racing ? raceCharged ?? 0 : 0);
      const now = await attemptRead(ctx, 'wallet_read', () => ctx.target.readWallet(walletId));
      if (now.outcome === 'acked' && now.body) {
        observeBalance(ctx, 'wallet_read', now.body.balance_cents, expected);
        if (!racing) {
          // Sequential replay of the sales against the real balance: exactly what the sync must have done.
          let bal = before;
          let predictedDebit = 0;
          for (const sale of queue.filter((q) => q.order.wallet_id === walletId).sort((a, b) => a.order.device_seq - b.order.device_seq)) {
            const take = Math.min(bal, sale.totalCents);
            bal -= take;
            predictedDebit += take;
          }
          expectThat(ctx, 'offline sales are applied in device order against the real balance', predictedDebit === (debited.get(walletId) ?? 0), 'order');
        }
      }
    }

    // The till missed the answer and syncs again with the same key: the stored answer, nothing new.
    const replays = await sendBurst(ctx, syncs.map((s) => s.call));
    countBurstReplay(port, 'terminal', replays.length);
    replays.forEach((r, k) => {
      const was = syncAnswers[k]!;
      if (was.outcome !== 'acked' || r.outcome !== 'acked') return;
      invariant(port, 'a replayed offline sync returns its stored answer', r.replayed && JSON.stringify(r.body?.results) === JSON.stringify(was.body?.results));
    });
    // ... and then under a new key, the same sales: every one a duplicate, no money moves.
    const resync = await sendBurst(ctx, syncs.map((s) => calls.offlineSync({ terminalId: s.terminal.id, orders: s.sales.map((x) => x.order), idempotencyKey: counters.syncKey(s.terminal.id) })));
    resync.forEach((r, k) => {
      const was = syncAnswers[k]!;
      if (r.outcome !== 'acked' || was.outcome !== 'acked' || !r.body || !was.body) return;
      for (const res of r.body.results) {
        recordReplay(port, 'order');
        const original = was.body.results.find((x) => x.device_order_id === res.device_order_id);
        invariant(port, 'a re-synced offline sale is a duplicate of its first sync', res.duplicate === true && res.order_id === original?.order_id && res.debited_cents === original?.debited_cents);
      }
      invariant(port, 'a re-sync moves no money', r.body.applied === 0 && r.body.duplicates === r.body.orders);
    });
  }
  await idleToEnd(ctx);
}
