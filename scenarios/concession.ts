// Scenario B: 4 concession terminals, 30 tx/min each at pilot; 402 declines and top-ups.
// Bundled to build/dist/concession.js; environment contract: scenarios/README.md.
import { defineK6Scenario, k6Exec } from '../lib/bindings/k6/scenario.js';
import * as flows from '../lib/flows/index.js';

export const options = defineK6Scenario('concession');
export { setup, handleSummary } from '../lib/bindings/k6/scenario.js';
export const concessionOrder = k6Exec(flows.concessionOrder);
