// The background load of a chaos run: the full festival's flows, unchanged, run through the
// chaos Target (lib/chaos/chaos-target.ts: phase tags, offline doors' queues rerouted). Each
// exec function first adopts the shared clock from the setup data.
import exec from 'k6/execution';
import { chaosEnv, chaosSeconds, enterChaos } from '../chaos/clock.js';
import { countTerminalOffline } from '../chaos/metrics.js';
import { offlineDevices } from '../chaos/schedule.js';
import { laneOf } from '../options.js';
import { runtime } from '../runtime.js';
import { browseWallets } from './browse-wallets.js';
import { concessionOrder } from './concession-order.js';
import { entryVisit } from './entry-visit.js';
import { reentryVisit } from './reentry-visit.js';

export function chaosEntryVisit(data: unknown): void {
  enterChaos(data);
  entryVisit();
}

export function chaosReentryVisit(data: unknown): void {
  enterChaos(data);
  reentryVisit();
}

export function chaosBrowseWallets(data: unknown): void {
  enterChaos(data);
  browseWallets();
}

/** An offline terminal sells offline (lib/flows/chaos-terminal.ts), not online: no online sale. */
export function chaosConcessionOrder(data: unknown): void {
  enterChaos(data);
  const now = chaosSeconds();
  const terminals = runtime().profile.behaviour.terminals;
  if (now !== null && offlineDevices(chaosEnv(), 'concession-offline', terminals, now).has(laneOf(exec.scenario.name))) {
    countTerminalOffline();
    return;
  }
  concessionOrder();
}
