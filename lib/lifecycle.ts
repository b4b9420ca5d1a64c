// Before any load: fail fast when the target is down or the fixtures do not belong to the
// database the target serves (the probe wallet must exist there). Each binding calls this
// from its own setup hook (k6 setup(), Artillery before).
import type { LoadPort } from '../core/load-port.js';
import type { Runtime } from './runtime.js';
import { createTarget } from './targets/index.js';

export interface SetupData {
  startedAt: string;
}

export async function setup(rt: Runtime, port: LoadPort): Promise<SetupData> {
  const { fixtures, config } = rt;
  const target = createTarget(port, config.targetKind, config.targetUrl, config.apiKey, rt.profile.client.timeoutSeconds);
  const health = await target.health();
  if (health && health.outcome !== 'acked') {
    throw new Error(`moshpit: target ${config.targetUrl} is not healthy: status ${health.status} ${health.code ?? ''}`);
  }
  const probe = await target.readWallet(fixtures.manifest.probe_wallet_id);
  if (probe.outcome !== 'acked') {
    throw new Error(`moshpit: probe wallet ${fixtures.manifest.probe_wallet_id} not readable on ${config.targetUrl} (${config.targetKind}): status ${probe.status} ${probe.code ?? ''}. Are the fixtures from this target's database?`);
  }
  return { startedAt: new Date().toISOString() };
}
