// One wristband at the gates. Looks the wallet up once, then predicts every scan's outcome
// from what it knows (inside? entries so far? balance?) and checks the target agrees. The
// wallet belongs to this iteration alone (lib/partition.ts), so the prediction is exact.
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import type { FlowContext } from '../flow-context.js';
import { newIdempotencyKey } from '../idempotency.js';
import type { WalletView } from '../targets/index.js';
import { expectThat, observeBalance, settle, type Accept } from '../verdicts.js';

export type ScanResult = 'admitted' | 'readmitted' | 'exited' | 'rejected' | 'unknown';

export class GateSession {
  /** False once an outcome was indeterminate: from then on nothing can be predicted. */
  known = false;
  blocked = false;
  inside = false;
  entryCount = 0;
  balance: Cents = 0;
  admissions = 0;
  feesCharged: Cents = 0;

  constructor(private readonly ctx: FlowContext, readonly walletId: string, private readonly gatewayId: string) {}

  private get fee(): Cents {
    return this.ctx.rt.fixtures.manifest.settings.reentry_fee_cents;
  }

  /** Reads the wallet; null if it could not be read (nothing else is predictable then). */
  async lookUp(): Promise<WalletView | null> {
    const { ctx } = this;
    const r = await attemptRead(ctx, 'wallet_read', () => ctx.target.readWallet(this.walletId));
    if (!settle(ctx, r, ['acked'], 'wallet read succeeds') || !r.body) {
      this.known = false;
      return null;
    }
    observeBalance(ctx, 'wallet_read', r.body.balance_cents);
    this.known = true;
    this.blocked = r.body.status === 'blocked';
    this.inside = r.body.inside === true;
    this.entryCount = r.body.entry_count;
    this.balance = r.body.balance_cents;
    return r.body;
  }

  async enter(rule = 'entry scan has the predicted outcome'): Promise<ScanResult> {
    if (!this.known) return 'unknown';
    const { ctx } = this;
    const first = this.entryCount === 0;
    const fee = first ? 0 : this.fee;
    let accept: Accept;
    if (this.blocked) accept = ['wallet_blocked'];
    else if (this.inside) accept = ['duplicate_entry'];
    else if (this.balance < fee) accept = ['insufficient_funds'];
    else accept = ['acked', 'capacity_reached']; // occupancy is shared; the cap may be reached legitimately
    const key = newIdempotencyKey(ctx, 'entry', this.walletId);
    const r = await attemptWrite(ctx, 'entry', ctx.rt.profile.client, () => ctx.target.entryScan({ walletId: this.walletId, gatewayId: this.gatewayId, idempotencyKey: key }));
    const body = r.outcome === 'acked' ? r.body : null;
    settle(ctx, r, accept, rule, body && typeof body.fee_cents === 'number' ? body.fee_cents : fee);
    if (r.outcome === 'indeterminate') {
      this.known = false;
      return 'unknown';
    }
    if (r.outcome !== 'acked' || !body) return 'rejected';
    const expectedResult = first ? 'admitted' : 'readmitted';
    expectThat(ctx, first ? 'first entry is admitted free of charge' : 're-entry is readmitted with the re-entry fee',
      body.result === expectedResult && body.fee_cents === fee, 'entry');
    expectThat(ctx, 'entry number counts every admission', body.entry_number === this.entryCount + 1, 'entry');
    expectThat(ctx, 'venue occupancy never exceeds capacity', typeof body.occupancy === 'number' && body.occupancy <= ctx.rt.fixtures.manifest.settings.venue_capacity, 'entry');
    observeBalance(ctx, 'entry', body.balance_cents, this.balance - fee);
    this.inside = true;
    this.entryCount += 1;
    this.admissions += 1;
    this.feesCharged += fee;
    this.balance -= fee;
    return first ? 'admitted' : 'readmitted';
  }

  async exit(rule = 'exit scan has the predicted outcome'): Promise<ScanResult> {
    if (!this.known) return 'unknown';
    const { ctx } = this;
    const key = newIdempotencyKey(ctx, 'exit', this.walletId);
    const r = await attemptWrite(ctx, 'exit', ctx.rt.profile.client, () => ctx.target.exitScan({ walletId: this.walletId, gatewayId: this.gatewayId, idempotencyKey: key }));
    settle(ctx, r, this.blocked ? ['wallet_blocked', 'acked'] : this.inside ? ['acked'] : ['not_inside'], rule, 0);
    if (r.outcome === 'indeterminate') {
      this.known = false;
      return 'unknown';
    }
    if (r.outcome !== 'acked') return 'rejected';
    expectThat(ctx, 'exit scan reports the holder as exited', r.body?.result === 'exited', 'exit');
    this.inside = false;
    return 'exited';
  }
}
