// Contention: groups share one wallet; members order at different bars while another tops up,
// all at the same moment. Makes a missing row lock (lost update) visible to the ledger checkers.
// Bundled to build/dist/contention.js; environment contract: scenarios/README.md.
import { defineScenario } from '../lib/scenario.js';

export const options = defineScenario('contention');
export { setup } from '../lib/lifecycle.js';
export { handleSummary } from '../lib/summary/handle-summary.js';
// The scenario reuses the concession workload (its terminals as lanes, its wallet slice, its
// thresholds), whose k6 scenarios run the exec named concessionOrder (lib/options.ts
// WORKLOAD_EXEC): here that name runs the shared-wallet flow.
export { contentionOrder as concessionOrder } from '../lib/flows/contention-order.js';
