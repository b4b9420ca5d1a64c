// Scenario D: a holder who goes in and out. Enter, then cycles of exit -> re-enter with time
// inside and outside between scans; finally the wallet must show every admission counted
// and exactly the re-entry fees charged.
import type { FlowContext } from '../flow-context.js';
import type { GatewayFixture } from '../fixtures.js';
import { between } from '../random.js';
import { walletFor } from '../runtime.js';
import { expectThat, observeBalance } from '../verdicts.js';
import { GateSession } from './gate-session.js';

export async function reentryVisit(ctx: FlowContext): Promise<void> {
  const { rt, port } = ctx;
  const iteration = ctx.it.iteration;
  const wallet = walletFor(rt, 'reentry', iteration, 0);
  // Alternate doors between visits: re-entry rules are venue-wide, not per door.
  const gateway = rt.fixtures.gateways[iteration % rt.profile.behaviour.doors] as GatewayFixture;
  const gate = new GateSession(ctx, wallet.id, gateway.id);
  const start = await gate.lookUp();
  if (!start) return;
  if (gate.inside) await gate.exit('returning holder is let out first');

  const { behaviour } = rt.profile;
  const admitted = (r: string) => r === 'admitted' || r === 'readmitted';
  let inside = admitted(await gate.enter());
  // A holder who cannot pay the re-entry fee (402) stays outside: the visit ends there.
  for (let cycle = 0; cycle < behaviour.reentryCycles && inside; cycle++) {
    await port.sleep(between(behaviour.insideSeconds));
    if ((await gate.exit()) !== 'exited') break;
    await port.sleep(between(behaviour.outsideSeconds));
    inside = admitted(await gate.enter());
  }
  if (!gate.known) return;

  const end = await gate.lookUp();
  if (!end) return;
  expectThat(ctx, 'wallet entry count grew by exactly the admissions', end.entry_count === start.entry_count + gate.admissions, 'wallet_read');
  observeBalance(ctx, 'wallet_read', end.balance_cents, start.balance_cents - gate.feesCharged);
}
