// setup(): fail fast, before any load, when the target is down or the fixtures do not belong
// to the database the target serves (the probe wallet must exist there).
import { runtime } from './runtime.js';

export interface SetupData {
  startedAt: string;
}

export function setup(): SetupData {
  const { target, fixtures, config } = runtime();
  const health = target.health();
  if (health && health.outcome !== 'acked') {
    throw new Error(`moshpit: target ${config.targetUrl} is not healthy: status ${health.status} ${health.code ?? ''}`);
  }
  const probe = target.readWallet(fixtures.manifest.probe_wallet_id);
  if (probe.outcome !== 'acked') {
    throw new Error(`moshpit: probe wallet ${fixtures.manifest.probe_wallet_id} not readable on ${config.targetUrl} (${config.targetKind}): status ${probe.status} ${probe.code ?? ''}. Are the fixtures from this target's database?`);
  }
  return { startedAt: new Date().toISOString() };
}
