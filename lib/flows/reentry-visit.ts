// Scenario D: a holder who goes in and out. Enter, then cycles of exit -> re-enter with time
// inside and outside between scans; finally the wallet must show every admission counted
// and exactly the re-entry fees charged.
import { sleep } from 'k6';
import exec from 'k6/execution';
import { between } from '../random.js';
import { runtime, walletFor } from '../runtime.js';
import type { GatewayFixture } from '../fixtures.js';
import { expectThat, observeBalance } from '../verdicts.js';
import { GateSession } from './gate-session.js';

export function reentryVisit(): void {
  const rt = runtime();
  const iteration = exec.scenario.iterationInTest;
  const wallet = walletFor(rt, 'reentry', iteration, 0);
  // Alternate doors between visits: re-entry rules are venue-wide, not per door.
  const gateway = rt.fixtures.gateways[iteration % rt.profile.behaviour.doors] as GatewayFixture;
  const gate = new GateSession(rt, wallet.id, gateway.id);
  const start = gate.lookUp();
  if (!start) return;
  if (gate.inside) gate.exit('returning holder is let out first');

  const { behaviour } = rt.profile;
  const admitted = (r: string) => r === 'admitted' || r === 'readmitted';
  let inside = admitted(gate.enter());
  // A holder who cannot pay the re-entry fee (402) stays outside: the visit ends there.
  for (let cycle = 0; cycle < behaviour.reentryCycles && inside; cycle++) {
    sleep(between(behaviour.insideSeconds));
    if (gate.exit() !== 'exited') break;
    sleep(between(behaviour.outsideSeconds));
    inside = admitted(gate.enter());
  }
  if (!gate.known) return;

  const end = gate.lookUp();
  if (!end) return;
  expectThat('wallet entry count grew by exactly the admissions', end.entry_count === start.entry_count + gate.admissions, 'wallet_read');
  observeBalance('wallet_read', end.balance_cents, start.balance_cents - gate.feesCharged);
}
