// Scenario A (seeds 003): 2 doors, 100 scans/min each at pilot, duplicate taps, exits and re-scans.
// Bundled to build/dist/entry.js; environment contract: scenarios/README.md.
import { defineScenario } from '../lib/scenario.js';

export const options = defineScenario('entry');
export { setup } from '../lib/lifecycle.js';
export { handleSummary } from '../lib/summary/handle-summary.js';
export { entryVisit } from '../lib/flows/entry-visit.js';
