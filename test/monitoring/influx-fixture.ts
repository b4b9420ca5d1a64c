// A real influxd of its own for one test file (never this checkout's instance, which a
// developer's `stack up` may be using), stopped by PID and removed afterwards.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { InfluxClient } from '../../monitoring/influx/influx-client.js';
import { removeInfluxInstance, startInflux, stopInflux, type RunningInflux } from '../../stack/influxdb.js';

export interface TestInflux {
  influx: RunningInflux;
  instanceId: string;
  client(database?: string): InfluxClient;
  stop(): Promise<void>;
}

export async function startTestInflux(): Promise<TestInflux> {
  const instanceId = `t-${process.pid}-${randomBytes(3).toString('hex')}`;
  const influx = await startInflux({ instanceId });
  return {
    influx,
    instanceId,
    client: (database = 'moshpit') => new InfluxClient({ url: influx.url, database }),
    async stop() {
      await stopInflux(influx.process);
      removeInfluxInstance(influx.dataDir);
    },
  };
}

/** PIDs whose command line mentions `needle` (e.g. an instance dir): what "ours" means here. */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) out.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return out;
}
