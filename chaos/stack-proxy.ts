// The embedded stack's optional chaos component: a Toxiproxy server of its own with one proxy
// in front of PostgreSQL. The target connects through it (its DATABASE_URL is the proxied
// URL), so DB faults reach the platform; seeding, pre-flight and validation keep the direct
// URL and are never slowed by a fault. Started and stopped by stack/stack.ts, by PID.
import type { ToxiproxyState } from '../stack/state.js';
import { isAlive } from '../stack/processes.js';
import { startToxiproxy, stopToxiproxy } from '../stack/toxiproxy.js';
import { ensureDbProxy } from './db-proxy.js';
import { ToxiproxyClient } from './toxiproxy-client.js';

export async function startStackToxiproxy(postgresUrl: string, parentPid?: number): Promise<ToxiproxyState> {
  const tp = await startToxiproxy();
  try {
    const { proxy, proxiedUrl } = await ensureDbProxy(new ToxiproxyClient(tp.apiUrl), postgresUrl);
    return {
      apiUrl: tp.apiUrl,
      version: tp.version,
      logFile: tp.logFile,
      proxy: proxy.name,
      listen: proxy.listen,
      proxiedUrl,
      process: tp.process,
      ...(parentPid ? { parentPid } : {}),
    };
  } catch (err) {
    await stopToxiproxy(tp.process); // never leave a half-set-up server behind
    throw err;
  }
}

/** Started for an on-demand run whose orchestrator is gone (it was killed): nobody will stop it. */
export function isOrphan(t: ToxiproxyState): boolean {
  return t.parentPid !== undefined && !isAlive({ pid: t.parentPid, startTicks: null });
}
