// The crowd in the full-system run: festival-goers checking their balance in the app between
// wandering the site. Read-only, over every wallet (reads race with other flows' writes, so
// only invariants are checked: readable, whole cents, never negative).
import { sleep } from 'k6';
import { attemptRead } from '../attempts.js';
import type { WalletFixture } from '../fixtures.js';
import { between, randomInt } from '../random.js';
import { runtime } from '../runtime.js';
import { observeBalance, settle } from '../verdicts.js';

export function browseWallets(): void {
  const rt = runtime();
  const wallet = rt.fixtures.wallets[randomInt(0, rt.fixtures.wallets.length - 1)] as WalletFixture;
  const r = attemptRead('wallet_read', () => rt.target.readWallet(wallet.id));
  if (settle(r, ['acked'], 'wallet read succeeds') && r.body) observeBalance('wallet_read', r.body.balance_cents);
  sleep(between(rt.profile.behaviour.browseThinkSeconds));
}
