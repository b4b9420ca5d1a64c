// The registry of the load flows: which async Flow runs each workload of a scenario. Both
// bindings read it (k6: one exec function per workload; Artillery: one processor function).
// The chaos flows live in lib/flows/chaos-*.ts and are registered by the chaos scenario.
import { SCENARIO_WORKLOADS, type ScenarioName, type Workload } from '../../core/profiles.js';
import type { Flow } from '../flow-context.js';
import { browseWallets } from './browse-wallets.js';
import { concessionOrder } from './concession-order.js';
import { contentionOrder } from './contention-order.js';
import { entryVisit } from './entry-visit.js';
import { reentryVisit } from './reentry-visit.js';
import { walletFunding } from './wallet-funding.js';
import { withAdversarialShare } from './adversarial.js';

export { browseWallets, concessionOrder, contentionOrder, entryVisit, reentryVisit, walletFunding };

/** Every stateful workload carries the adversarial client share (lib/flows/adversarial.ts). */
export const WORKLOAD_FLOWS: Record<Workload, Flow> = {
  entry: withAdversarialShare('entry', entryVisit),
  concession: withAdversarialShare('concession', concessionOrder),
  funding: withAdversarialShare('funding', walletFunding),
  reentry: withAdversarialShare('reentry', reentryVisit),
  browse: browseWallets,
};

/** The flow of each workload a scenario runs. Contention runs its shared-wallet flow as the concession workload. */
export function flowsFor(scenario: ScenarioName): Partial<Record<Workload, Flow>> {
  if (scenario === 'contention') return { concession: contentionOrder };
  const out: Partial<Record<Workload, Flow>> = {};
  for (const w of SCENARIO_WORKLOADS[scenario]) out[w] = WORKLOAD_FLOWS[w];
  return out;
}
