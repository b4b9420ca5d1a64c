// Scenario F (issue 5): failure injection on top of the full festival load (pilot-shaped by
// default). The orchestrator (cli/pipeline/chaos-run.ts) runs the fault controller on the same
// clock and hands this bundle the timeline (MOSHPIT_CHAOS_JSON). Client faults run here:
// Stripe webhook delay/duplication/reordering/forgery (chaosWalletFunding), an offline
// scanner (chaosScannerDevice, its door's queue rerouted) and an offline terminal
// (chaosTerminalDevice). Every request is tagged chaos=steady|fault|recovery and fault=<name>.
// Bundled to build/dist/chaos.js; environment contract: scenarios/README.md.
import { defineChaosScenario } from '../lib/chaos/runtime.js';

export const options = defineChaosScenario();
export { chaosSetup as setup, chaosHandleSummary as handleSummary } from '../lib/chaos/lifecycle.js';
export { chaosEntryVisit, chaosConcessionOrder, chaosReentryVisit, chaosBrowseWallets } from '../lib/flows/chaos-load.js';
export { chaosWalletFunding } from '../lib/flows/chaos-funding.js';
export { chaosScannerDevice } from '../lib/flows/chaos-scanner.js';
export { chaosTerminalDevice } from '../lib/flows/chaos-terminal.js';
