// Scenario D: enter, exit, re-enter cycles; entry counts and re-entry fees.
// Bundled to build/dist/reentry.js; environment contract: scenarios/README.md.
import { defineK6Scenario, k6Exec } from '../lib/bindings/k6/scenario.js';
import * as flows from '../lib/flows/index.js';

export const options = defineK6Scenario('reentry');
export { setup, handleSummary } from '../lib/bindings/k6/scenario.js';
export const reentryVisit = k6Exec(flows.reentryVisit);
