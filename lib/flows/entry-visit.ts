// Scenario A: an arrival at one of the doors (one lane per door, constant arrival rate).
// The holder scans in; some tap again by mistake (must be 409 duplicate_entry); some step
// out and come back (exit, then a paid re-entry). A wallet met again later in the run is
// inside from its last visit, so it leaves first and comes back in.
import type { FlowContext } from '../flow-context.js';
import type { GatewayFixture } from '../fixtures.js';
import { chance } from '../random.js';
import { walletFor } from '../runtime.js';
import { GateSession } from './gate-session.js';

export async function entryVisit(ctx: FlowContext): Promise<void> {
  const { rt, it } = ctx;
  const door = it.lane;
  const gateway = rt.fixtures.gateways[door] as GatewayFixture;
  const wallet = walletFor(rt, 'entry', it.iteration, door);
  const gate = new GateSession(ctx, wallet.id, gateway.id);
  if (!(await gate.lookUp())) return;
  if (gate.inside) await gate.exit('returning holder is let out first');

  const first = await gate.enter();
  if (first !== 'admitted' && first !== 'readmitted') return;
  const { behaviour } = rt.profile;
  if (chance(behaviour.duplicateScanRate)) await gate.enter('second tap while inside is rejected as duplicate_entry');
  if (chance(behaviour.exitAndRescanRate)) {
    await gate.exit();
    await gate.enter();
  }
}
