// Pre-flight checks against the target: healthy, the API key accepted (an authenticated read
// of the probe wallet), and one functional probe: a recharge and an order on the probe wallet
// whose balance must then be exactly before + recharge - order total.
import type { FixtureSet } from './fixtures.js';
import type { TargetClient } from './target-client.js';
import type { TargetKind } from '../../core/target-kind.js';

export type { CheckOutcome } from './database-checks.js';
import type { CheckOutcome } from './database-checks.js';

const PROBE_RECHARGE_CENTS = 1000;

export async function checkHealth(client: TargetClient, kind: TargetKind): Promise<CheckOutcome> {
  const r = await client.health();
  // A Supabase deployment has no /v1/health; its reachability is proven by the RPC read next.
  if (kind === 'supabase' && r.status === 404) return { ok: true, detail: 'no /v1/health on this surface (checked through the RPC read)' };
  const ok = r.status === 200 && r.body.status === 'ok';
  const defects = Array.isArray(r.body.defects) && r.body.defects.length ? `, defect modes ON: ${r.body.defects.join(',')}` : '';
  return { ok, detail: ok ? `HTTP 200 status ok, database ${String(r.body.database ?? 'n/a')}${defects}` : `HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}` };
}

export async function checkApiKey(client: TargetClient, fx: FixtureSet): Promise<CheckOutcome> {
  const probe = fx.manifest.probe_wallet_id;
  const r = await client.readWallet(probe);
  if (r.status === 401) return { ok: false, detail: 'HTTP 401 unauthorized: the API key was refused' };
  if (r.status !== 200) return { ok: false, detail: `reading probe wallet ${probe}: HTTP ${r.status} ${r.code ?? ''}`.trim() };
  if (r.body.wallet_id !== probe) return { ok: false, detail: `reading probe wallet ${probe} returned ${JSON.stringify(r.body).slice(0, 200)}` };
  return { ok: true, detail: `authenticated read of probe wallet ${probe}: balance ${String(r.body.balance_cents)} cents` };
}

function cheapest(fx: FixtureSet): { id: string; price_cents: number } | null {
  const priced = fx.products.filter((p) => Number.isSafeInteger(p.price_cents) && p.price_cents > 0);
  return priced.sort((a, b) => a.price_cents - b.price_cents)[0] ?? null;
}

function balanceOf(r: { body: Record<string, unknown> }): number | null {
  const b = r.body.balance_cents;
  return typeof b === 'number' && Number.isSafeInteger(b) ? b : null;
}

export async function checkFunctionalProbe(client: TargetClient, fx: FixtureSet, keyPrefix: string): Promise<CheckOutcome> {
  const probe = fx.manifest.probe_wallet_id;
  const product = cheapest(fx);
  const terminal = fx.terminals[0];
  if (!product || !terminal) return { ok: false, detail: 'fixtures list no priced product or no terminal to order from' };

  const before = await client.readWallet(probe);
  const opening = balanceOf(before);
  if (before.status !== 200 || opening === null) return { ok: false, detail: `could not read probe wallet: HTTP ${before.status}` };

  const recharge = await client.recharge(`${keyPrefix}recharge`, probe, PROBE_RECHARGE_CENTS, 'preflight');
  if (recharge.status !== 201) return { ok: false, detail: `recharge of ${PROBE_RECHARGE_CENTS} cents: HTTP ${recharge.status} ${recharge.code ?? ''}`.trim() };
  const order = await client.order(`${keyPrefix}order`, probe, terminal.id, [{ product_id: product.id, quantity: 1 }]);
  if (order.status !== 201) return { ok: false, detail: `order of 1 x ${product.id}: HTTP ${order.status} ${order.code ?? ''}`.trim() };
  if (order.body.total_cents !== product.price_cents) {
    return { ok: false, money: true, detail: `order total ${String(order.body.total_cents)} cents, the fixtures price ${product.id} at ${product.price_cents} (keys ${keyPrefix}*)` };
  }

  const after = await client.readWallet(probe);
  const expected = opening + PROBE_RECHARGE_CENTS - product.price_cents;
  const closing = balanceOf(after);
  if (closing !== expected) {
    // Both writes were acknowledged: a wrong balance now is the platform's arithmetic.
    return { ok: false, money: closing !== null, detail: `probe wallet ${probe} balance ${String(closing)} cents after recharge +${PROBE_RECHARGE_CENTS} and order -${product.price_cents} from ${opening}, expected ${expected} (keys ${keyPrefix}*)` };
  }
  return { ok: true, detail: `recharge +${PROBE_RECHARGE_CENTS} and order -${product.price_cents} on ${probe}: balance ${opening} -> ${closing} cents (keys ${keyPrefix}*)` };
}
