// Scenario A: 2 doors, 100 scans/min each at pilot, duplicate taps, exits and re-scans.
// Bundled to build/dist/entry.js; environment contract: scenarios/README.md.
import { defineK6Scenario, k6Exec } from '../lib/bindings/k6/scenario.js';
import * as flows from '../lib/flows/index.js';

export const options = defineK6Scenario('entry');
export { setup, handleSummary } from '../lib/bindings/k6/scenario.js';
export const entryVisit = k6Exec(flows.entryVisit);
