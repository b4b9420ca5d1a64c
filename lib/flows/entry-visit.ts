// Scenario A: an arrival at one of the doors (one k6 scenario per door, constant arrival rate).
// The holder scans in; some tap again by mistake (must be 409 duplicate_entry); some step
// out and come back (exit, then a paid re-entry). A wallet met again later in the run is
// inside from its last visit, so it leaves first and comes back in.
import exec from 'k6/execution';
import { chance } from '../random.js';
import { laneOf } from '../options.js';
import { runtime, walletFor } from '../runtime.js';
import type { GatewayFixture } from '../fixtures.js';
import { GateSession } from './gate-session.js';

export function entryVisit(): void {
  const rt = runtime();
  const door = laneOf(exec.scenario.name);
  const gateway = rt.fixtures.gateways[door] as GatewayFixture;
  const wallet = walletFor(rt, 'entry', exec.scenario.iterationInTest, door);
  const gate = new GateSession(rt, wallet.id, gateway.id);
  if (!gate.lookUp()) return;
  if (gate.inside) gate.exit('returning holder is let out first');

  const first = gate.enter();
  if (first !== 'admitted' && first !== 'readmitted') return;
  const { behaviour } = rt.profile;
  if (chance(behaviour.duplicateScanRate)) gate.enter('second tap while inside is rejected as duplicate_entry');
  if (chance(behaviour.exitAndRescanRate)) {
    gate.exit();
    gate.enter();
  }
}
