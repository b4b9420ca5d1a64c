// Scenario C (seeds 003): 50 concurrent wallet fundings through signed Stripe webhooks at pilot.
// Bundled to build/dist/funding.js; environment contract: scenarios/README.md.
import { defineScenario } from '../lib/scenario.js';

export const options = defineScenario('funding');
export { setup } from '../lib/lifecycle.js';
export { handleSummary } from '../lib/summary/handle-summary.js';
export { walletFunding } from '../lib/flows/wallet-funding.js';
