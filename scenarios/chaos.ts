// Scenario F (issue 5): failure injection on top of the full festival load (pilot-shaped by
// default). The orchestrator (cli/pipeline/chaos-run.ts) runs the fault controller on the same
// clock and hands this bundle the timeline (MOSHPIT_CHAOS_JSON). Client faults run here:
// Stripe webhook delay/duplication/reordering/forgery (chaosWalletFunding), an offline
// scanner (chaosScannerDevice, its door's queue rerouted) and an offline terminal
// (chaosTerminalDevice). Every request is tagged chaos=steady|fault|recovery and fault=<name>.
// The flows are engine-agnostic (lib/chaos/runtime.ts); this is only the k6 manifest.
// Bundled to build/dist/chaos.js; environment contract: scenarios/README.md.
import { defineK6ChaosScenario, k6ChaosExec } from '../lib/bindings/k6/chaos.js';

export const options = defineK6ChaosScenario();
export { chaosSetup as setup, chaosHandleSummary as handleSummary } from '../lib/bindings/k6/chaos.js';
export const chaosEntryVisit = k6ChaosExec('entry');
export const chaosConcessionOrder = k6ChaosExec('concession');
export const chaosWalletFunding = k6ChaosExec('funding');
export const chaosReentryVisit = k6ChaosExec('reentry');
export const chaosBrowseWallets = k6ChaosExec('browse');
export const chaosScannerDevice = k6ChaosExec('chaos_scanner');
export const chaosTerminalDevice = k6ChaosExec('chaos_terminal');
