// Contention: groups share one wallet; members order at different bars while another tops up,
// all at the same moment. Makes a missing row lock (lost update) visible to the ledger checkers.
// Bundled to build/dist/contention.js; environment contract: scenarios/README.md.
import { defineK6Scenario, k6Exec } from '../lib/bindings/k6/scenario.js';
import * as flows from '../lib/flows/index.js';

export const options = defineK6Scenario('contention');
export { setup, handleSummary } from '../lib/bindings/k6/scenario.js';
// The scenario reuses the concession workload (its terminals as lanes, its wallet slice, its
// thresholds), whose k6 scenarios run the exec named concessionOrder (WORKLOAD_EXEC in
// lib/bindings/k6/options.ts): here that name runs the shared-wallet flow.
export const concessionOrder = k6Exec(flows.contentionOrder);
