// Scenario E: everything at once over all wallets: doors, concessions, fundings,
// re-entries, and the crowd browsing balances (2,000 concurrent users at pilot), shaped as a
// festival day: gates open, peak, winding down.
// Bundled to build/dist/full.js; environment contract: scenarios/README.md.
import { defineK6Scenario, k6Exec } from '../lib/bindings/k6/scenario.js';
import * as flows from '../lib/flows/index.js';

export const options = defineK6Scenario('full');
export { setup, handleSummary } from '../lib/bindings/k6/scenario.js';
export const entryVisit = k6Exec(flows.entryVisit);
export const concessionOrder = k6Exec(flows.concessionOrder);
export const walletFunding = k6Exec(flows.walletFunding);
export const reentryVisit = k6Exec(flows.reentryVisit);
export const browseWallets = k6Exec(flows.browseWallets);
