// Scenario D (seeds 003): enter, exit, re-enter cycles; entry counts and re-entry fees.
// Bundled to build/dist/reentry.js; environment contract: scenarios/README.md.
import { defineScenario } from '../lib/scenario.js';

export const options = defineScenario('reentry');
export { setup } from '../lib/lifecycle.js';
export { handleSummary } from '../lib/summary/handle-summary.js';
export { reentryVisit } from '../lib/flows/reentry-visit.js';
