// The InfluxDB a run streams to, or a report reads from: either a server the user named
// (--influx-url / MOSHPIT_INFLUX_URL: loopback unless MOSHPIT_ALLOW_REMOTE=1) or this
// checkout's own influxd (stack/influxdb.ts), adopted when it runs and started when not.
// close() stops influxd only when this connection started it.
import { InfluxClient } from '../influx/influx-client.js';
import { checkInfluxUrl } from '../influx/loopback.js';
import { INFLUX_DATABASES, startInflux, stopInflux, type RunningInflux } from '../../stack/influxdb.js';

export const K6_DATABASE = 'k6';
export const MOSHPIT_DATABASE = 'moshpit';

export interface InfluxConnection {
  url: string;
  /** Set when this is the checkout's own influxd. */
  local: { instanceId: string | null } | null;
  client(database: string): InfluxClient;
  close(): Promise<void>;
}

/** A server given by URL: pinged, and the two databases created (idempotent in 1.x). */
export async function connectInfluxUrl(url: string): Promise<InfluxConnection> {
  const base = checkInfluxUrl(url).toString().replace(/\/+$/, '');
  const admin = new InfluxClient({ url: base, timeoutMs: 10_000 });
  await admin.ping();
  for (const db of INFLUX_DATABASES) await admin.createDatabase(db);
  return { url: base, local: null, client: (database) => new InfluxClient({ url: base, database }), close: async () => {} };
}

/** This checkout's influxd (or the instance given), started if it is not running. */
export async function connectLocalInflux(instanceId?: string): Promise<InfluxConnection> {
  const running: RunningInflux = await startInflux(instanceId ? { instanceId } : {});
  let closed = false;
  return {
    url: running.url,
    local: { instanceId: instanceId ?? null },
    client: (database) => new InfluxClient({ url: running.url, database }),
    async close() {
      if (closed || running.adopted) return; // someone else's (e.g. `stack up`): leave it running
      closed = true;
      await stopInflux(running.process);
    },
  };
}
