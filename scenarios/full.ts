// Scenario E (seeds 003): everything at once over all wallets: doors, concessions, fundings,
// re-entries, and the crowd browsing balances (2,000 concurrent users at pilot), shaped as a
// festival day: gates open, peak, winding down.
// Bundled to build/dist/full.js; environment contract: scenarios/README.md.
import { defineScenario } from '../lib/scenario.js';

export const options = defineScenario('full');
export { setup } from '../lib/lifecycle.js';
export { handleSummary } from '../lib/summary/handle-summary.js';
export { entryVisit } from '../lib/flows/entry-visit.js';
export { concessionOrder } from '../lib/flows/concession-order.js';
export { walletFunding } from '../lib/flows/wallet-funding.js';
export { reentryVisit } from '../lib/flows/reentry-visit.js';
export { browseWallets } from '../lib/flows/browse-wallets.js';
