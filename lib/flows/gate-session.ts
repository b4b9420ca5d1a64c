// One wristband at the gates. Looks the wallet up once, then predicts every scan's outcome
// from what it knows (inside? entries so far? balance?) and checks the target agrees. The
// wallet belongs to this iteration alone (lib/partition.ts), so the prediction is exact.
import type { Cents } from '../../core/money.js';
import { attemptRead, attemptWrite } from '../attempts.js';
import { newIdempotencyKey } from '../idempotency.js';
import type { Runtime } from '../runtime.js';
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

  constructor(private readonly rt: Runtime, readonly walletId: string, private readonly gatewayId: string) {}

  private get fee(): Cents {
    return this.rt.fixtures.manifest.settings.reentry_fee_cents;
  }

  /** Reads the wallet; false if it could not be read (nothing else is predictable then). */
  lookUp(): WalletView | null {
    const r = attemptRead('wallet_read', () => this.rt.target.readWallet(this.walletId));
    if (!settle(r, ['acked'], 'wallet read succeeds') || !r.body) {
      this.known = false;
      return null;
    }
    observeBalance('wallet_read', r.body.balance_cents);
    this.known = true;
    this.blocked = r.body.status === 'blocked';
    this.inside = r.body.inside === true;
    this.entryCount = r.body.entry_count;
    this.balance = r.body.balance_cents;
    return r.body;
  }

  enter(rule = 'entry scan has the predicted outcome'): ScanResult {
    if (!this.known) return 'unknown';
    const first = this.entryCount === 0;
    const fee = first ? 0 : this.fee;
    let accept: Accept;
    if (this.blocked) accept = ['wallet_blocked'];
    else if (this.inside) accept = ['duplicate_entry'];
    else if (this.balance < fee) accept = ['insufficient_funds'];
    else accept = ['acked', 'capacity_reached']; // occupancy is shared; the cap may be reached legitimately
    const key = newIdempotencyKey(this.rt.config.runId, 'entry', this.walletId);
    const r = attemptWrite('entry', this.rt.profile.client, () => this.rt.target.entryScan({ walletId: this.walletId, gatewayId: this.gatewayId, idempotencyKey: key }));
    const body = r.outcome === 'acked' ? r.body : null;
    settle(r, accept, rule, body && typeof body.fee_cents === 'number' ? body.fee_cents : fee);
    if (r.outcome === 'indeterminate') {
      this.known = false;
      return 'unknown';
    }
    if (r.outcome !== 'acked' || !body) return 'rejected';
    const expectedResult = first ? 'admitted' : 'readmitted';
    expectThat(first ? 'first entry is admitted free of charge' : 're-entry is readmitted with the re-entry fee',
      body.result === expectedResult && body.fee_cents === fee, 'entry');
    expectThat('entry number counts every admission', body.entry_number === this.entryCount + 1, 'entry');
    expectThat('venue occupancy never exceeds capacity', typeof body.occupancy === 'number' && body.occupancy <= this.rt.fixtures.manifest.settings.venue_capacity, 'entry');
    observeBalance('entry', body.balance_cents, this.balance - fee);
    this.inside = true;
    this.entryCount += 1;
    this.admissions += 1;
    this.feesCharged += fee;
    this.balance -= fee;
    return first ? 'admitted' : 'readmitted';
  }

  exit(rule = 'exit scan has the predicted outcome'): ScanResult {
    if (!this.known) return 'unknown';
    const key = newIdempotencyKey(this.rt.config.runId, 'exit', this.walletId);
    const r = attemptWrite('exit', this.rt.profile.client, () => this.rt.target.exitScan({ walletId: this.walletId, gatewayId: this.gatewayId, idempotencyKey: key }));
    settle(r, this.blocked ? ['wallet_blocked', 'acked'] : this.inside ? ['acked'] : ['not_inside'], rule, 0);
    if (r.outcome === 'indeterminate') {
      this.known = false;
      return 'unknown';
    }
    if (r.outcome !== 'acked') return 'rejected';
    expectThat('exit scan reports the holder as exited', r.body?.result === 'exited', 'exit');
    this.inside = false;
    return 'exited';
  }
}
