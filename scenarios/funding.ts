// Scenario C: 50 concurrent wallet fundings through signed Stripe webhooks at pilot.
// Bundled to build/dist/funding.js; environment contract: scenarios/README.md.
import { defineK6Scenario, k6Exec } from '../lib/bindings/k6/scenario.js';
import * as flows from '../lib/flows/index.js';

export const options = defineK6Scenario('funding');
export { setup, handleSummary } from '../lib/bindings/k6/scenario.js';
export const walletFunding = k6Exec(flows.walletFunding);
