// Scenario B (seeds 003): 4 concession terminals, 30 tx/min each at pilot; 402 declines and top-ups.
// Bundled to build/dist/concession.js; environment contract: scenarios/README.md.
import { defineScenario } from '../lib/scenario.js';

export const options = defineScenario('concession');
export { setup } from '../lib/lifecycle.js';
export { handleSummary } from '../lib/summary/handle-summary.js';
export { concessionOrder } from '../lib/flows/concession-order.js';
