// The crowd in the full-system run: festival-goers checking their balance in the app between
// wandering the site. Read-only, over every wallet (reads race with other flows' writes, so
// only invariants are checked: readable, whole cents, never negative).
import { attemptRead } from '../attempts.js';
import type { FlowContext } from '../flow-context.js';
import type { WalletFixture } from '../fixtures.js';
import { between, randomInt } from '../random.js';
import { observeBalance, settle } from '../verdicts.js';

export async function browseWallets(ctx: FlowContext): Promise<void> {
  const { rt, target } = ctx;
  const wallet = rt.fixtures.wallets[randomInt(0, rt.fixtures.wallets.length - 1)] as WalletFixture;
  const r = await attemptRead(ctx, 'wallet_read', () => target.readWallet(wallet.id));
  if (settle(ctx, r, ['acked'], 'wallet read succeeds') && r.body) observeBalance(ctx, 'wallet_read', r.body.balance_cents);
  await ctx.port.sleep(between(rt.profile.behaviour.browseThinkSeconds));
}
