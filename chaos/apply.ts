// Turns one toxic-kind timeline window into Toxiproxy calls on a proxy, and back.
// Toxics are named `moshpit-<fault>`, so our own are recognisable among any others.
import { FAULTS, type Stream } from '../core/faults.js';
import type { TimelineWindow } from './timeline.js';
import { ToxiproxyError, type NewToxic, type ToxiproxyClient } from './toxiproxy-client.js';

export const TOXIC_PREFIX = 'moshpit-';

export function toxicName(fault: string): string {
  return `${TOXIC_PREFIX}${fault}`;
}

function actionOf(fault: string) {
  const def = FAULTS.get(fault);
  if (!def || def.kind !== 'toxic' || !def.action) throw new Error(`'${fault}' is not a toxic fault; the controller cannot apply it`);
  return def.action;
}

/** The toxic a window becomes (params minus the common ones are the toxic's attributes). */
export function toxicFor(w: Pick<TimelineWindow, 'fault' | 'params'>): NewToxic {
  const action = actionOf(w.fault);
  if (action.via !== 'toxic') throw new Error(`'${w.fault}' is not applied as a toxic`);
  const { toxicity, stream, ...attributes } = w.params;
  return {
    name: toxicName(w.fault),
    type: action.toxic,
    stream: (stream ?? 'downstream') as Stream,
    toxicity: (toxicity ?? 1) as number,
    attributes: attributes as Record<string, number>,
  } as NewToxic;
}

export async function applyFault(client: ToxiproxyClient, proxy: string, w: Pick<TimelineWindow, 'fault' | 'params'>): Promise<void> {
  const action = actionOf(w.fault);
  if (action.via === 'disable-proxy') await client.disableProxy(proxy);
  else await client.addToxic(proxy, toxicFor(w));
}

/** Idempotent: a toxic that is already gone is not an error. */
export async function removeFault(client: ToxiproxyClient, proxy: string, w: Pick<TimelineWindow, 'fault'>): Promise<void> {
  const action = actionOf(w.fault);
  if (action.via === 'disable-proxy') {
    await client.enableProxy(proxy);
    return;
  }
  try {
    await client.removeToxic(proxy, toxicName(w.fault));
  } catch (err) {
    if (!(err instanceof ToxiproxyError && err.status === 404 && /toxic not found/i.test(err.serverMessage))) throw err;
  }
}
