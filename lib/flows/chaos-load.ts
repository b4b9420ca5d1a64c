// The background load of a chaos run: the full festival's flows, unchanged, run under the
// chaos context (lib/chaos/context.ts: phase tags, offline doors' queues rerouted). The only
// chaos behaviour added here: an offline terminal sells offline (lib/flows/chaos-terminal.ts),
// so its lane makes no online sale while the window lasts.
import type { Workload } from '../../core/profiles.js';
import { chaosSeconds, tagPhase } from '../chaos/clock.js';
import type { ChaosContext } from '../chaos/context.js';
import { countTerminalOffline } from '../chaos/metrics.js';
import { offlineDevices } from '../chaos/schedule.js';
import { browseWallets } from './browse-wallets.js';
import { concessionOrder } from './concession-order.js';
import { entryVisit } from './entry-visit.js';
import { reentryVisit } from './reentry-visit.js';

export async function chaosConcessionOrder(ctx: ChaosContext): Promise<void> {
  const { env, clock } = ctx.chaos;
  const now = chaosSeconds(clock);
  if (now !== null && offlineDevices(env, 'concession-offline', ctx.rt.profile.behaviour.terminals, now).has(ctx.it.lane)) {
    tagPhase(ctx.port, env, clock);
    countTerminalOffline(ctx.port);
    return;
  }
  await concessionOrder(ctx);
}

/** The full load's flows in a chaos run, except funding (its webhook faults: chaos-funding.ts). */
export function chaosLoadFlows(): Record<Exclude<Workload, 'funding'>, (ctx: ChaosContext) => Promise<void>> {
  return { entry: entryVisit, concession: chaosConcessionOrder, reentry: reentryVisit, browse: browseWallets };
}
