// A small festival day through the real procedures: every kind of write, the rejections
// and replays a load test produces, and nothing wrong. Every checker must pass on it.
import type pg from 'pg';
import { Festival } from './festival.js';

export interface Baseline {
  f: Festival;
  wallets: { alice: string; bob: string; carol: string; dave: string; erin: string };
  intents: { carolPaid: string; erinPending: string; erinFailed: string };
}

export async function buildBaseline(pool: pg.Pool, prefix = 'k6-test-', runId = 'run-1'): Promise<Baseline> {
  const f = new Festival(pool, prefix, runId);
  await f.catalog();
  const alice = await f.wallet('w-alice', 2500);
  const bob = await f.wallet('w-bob', 1000);
  const carol = await f.wallet('w-carol', 0);
  const dave = await f.wallet('w-dave', 100);
  const erin = await f.wallet('w-erin', 500);

  // Alice: tops up, drinks, enters, leaves, pays to re-enter, leaves.
  await f.recharge(alice, 1000);
  await f.order(alice, [['p-beer', 2], ['p-fries', 1]]);
  await f.entry(alice);
  await f.exit(alice);
  await f.entry(alice, { gateway: 'gateway-2' });
  await f.exit(alice);

  // Bob: enters, a double tap is refused, buys water (and the terminal retries: a replay).
  await f.entry(bob);
  await f.entry(bob);
  const water = await f.order(bob, [['p-water', 1]]);
  await f.order(bob, [['p-water', 1]], { key: water.key as string });

  // Carol: funds through Stripe; the webhook arrives twice; then she shops.
  const carolPaid = await f.fundingIntent(carol, 2000);
  await f.webhook(carolPaid, 'evt_carol_1');
  await f.webhook(carolPaid, 'evt_carol_1');
  await f.order(carol, [['p-beer', 1]]);

  // Dave: declined (insufficient funds), cannot pay the re-entry fee, exit without entry refused.
  await f.order(dave, [['p-beer', 1]]);
  await f.exit(dave);
  await f.entry(dave);
  await f.exit(dave);
  await f.entry(dave);

  // Erin: one intent still pending (fresh), one failed by Stripe.
  const erinPending = await f.fundingIntent(erin, 1500);
  const erinFailed = await f.fundingIntent(erin, 700);
  await f.webhook(erinFailed, 'evt_erin_fail', 'payment_intent.payment_failed');

  return { f, wallets: { alice, bob, carol, dave, erin }, intents: { carolPaid, erinPending, erinFailed } };
}
