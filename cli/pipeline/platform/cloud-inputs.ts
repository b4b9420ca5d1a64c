// What a cloud run (--platform) needs before anything starts; each refusal is a usage error
// (exit 2) that names what to do instead.
import type { EngineName } from '../../../core/engine-plan.js';
import { UsageError } from '../../../core/usage-error.js';
import type { CloudPlatform } from './artillery-cloud.js';

export interface CloudOptions { platform: CloudPlatform; count: number; region?: string }

export function checkCloudInputs(o: { cloud: CloudOptions; engine: EngineName; scenario: string; shards?: number; external: boolean; influxUrl?: string }): void {
  if (o.engine !== 'artillery') throw new UsageError(`--platform runs the default engine on Artillery's cloud runners; with k6 use 'moshpit k8s manifest' (k6-operator)`);
  if (o.scenario === 'chaos') throw new UsageError('--platform: the chaos scenario injects faults from this machine and runs locally only');
  if (o.shards !== undefined && o.shards !== 1) throw new UsageError('--platform takes --count N (cloud shards); --shards is for local processes');
  if (!Number.isInteger(o.cloud.count) || o.cloud.count < 1 || o.cloud.count > 64) throw new UsageError(`--count must be an integer from 1 to 64, got ${o.cloud.count}`);
  if (o.cloud.region !== undefined && !/^[a-z0-9-]{2,40}$/.test(o.cloud.region)) throw new UsageError(`--region '${o.cloud.region}' is not a region name`);
  if (!o.external) throw new UsageError('--platform: cloud workers cannot reach the embedded stack on 127.0.0.1; point moshpit at your deployment (TARGET_URL or SUPABASE_URL, DATABASE_URL; see README "Pointing it at your own deployment")');
  if (!o.influxUrl) throw new UsageError('--platform needs --influx-url: an InfluxDB 1.x the workers can write to and moshpit can read the streams back from');
}
