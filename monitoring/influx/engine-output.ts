// How a run's load processes reach InfluxDB, whatever the engine. Both write database `k6`
// with the same measurements, tags and fields (the dashboards read either):
//   artillery  MOSHPIT_INFLUX_WRITE (JSON { url, database, tags }): each process's stream sink
//              forwards its samples (lib/bindings/artillery/influx-forwarder.ts)
//   k6         its built-in output: `--out influxdb=...`, `--tag ...`, K6_INFLUXDB_* (k6-output.ts)
// Pure Node: the Artillery processor bundle imports the env contract from here.
import { k6InfluxArgs, type K6InfluxOptions } from './k6-output.js';
import { checkInfluxUrl } from './loopback.js';

export const INFLUX_WRITE_ENV = 'MOSHPIT_INFLUX_WRITE';

export interface InfluxWriteConfig {
  /** InfluxDB 1.x base URL (checked by the orchestrator: loopback unless allowed). */
  url: string;
  database: string;
  /** Run tags on every point: testid, profile, target_kind (as k6's --tag). */
  tags: Record<string, string>;
  username?: string;
  password?: string;
  /** Also ship the metrics stream's records (stream-records.ts), for a verdict read back by run id. */
  records?: boolean;
}

/** Parses MOSHPIT_INFLUX_WRITE; throws on a malformed value. */
export function parseInfluxWrite(raw: string): InfluxWriteConfig {
  const c = JSON.parse(raw) as Partial<InfluxWriteConfig>;
  if (typeof c.url !== 'string' || !/^https?:\/\//.test(c.url)) throw new Error(`${INFLUX_WRITE_ENV}.url must be an http(s) URL`);
  if (typeof c.database !== 'string' || !/^[A-Za-z0-9_-]+$/.test(c.database)) throw new Error(`${INFLUX_WRITE_ENV}.database must be a plain name`);
  const tags = c.tags ?? {};
  if (typeof tags !== 'object' || Array.isArray(tags) || Object.values(tags).some((v) => typeof v !== 'string')) throw new Error(`${INFLUX_WRITE_ENV}.tags must map names to strings`);
  if (c.records !== undefined && typeof c.records !== 'boolean') throw new Error(`${INFLUX_WRITE_ENV}.records must be true or false`);
  return { url: c.url, database: c.database, tags, ...(c.username ? { username: c.username, password: c.password ?? '' } : {}), ...(c.records ? { records: true } : {}) };
}

export interface EngineInfluxOutput {
  /** `k6 run` arguments (engine k6 only). */
  k6Args: string[];
  /** Environment for every load process of either engine. */
  env: Record<string, string>;
}

/** The InfluxDB output of a run's load processes; `url` is the InfluxDB base URL. */
export function engineInfluxOutput(url: string, opts: K6InfluxOptions): EngineInfluxOutput {
  // k6InfluxArgs checks the URL, the database name and that every run tag is a plain token.
  const k6 = k6InfluxArgs(url, opts);
  const write: InfluxWriteConfig = {
    url: checkInfluxUrl(url).toString().replace(/\/+$/, ''),
    database: opts.database ?? 'k6',
    tags: { ...opts.extraTags, testid: opts.runId, profile: opts.profile },
  };
  return { k6Args: k6.args, env: { ...k6.env, [INFLUX_WRITE_ENV]: JSON.stringify(write) } };
}

/** The same output, also shipping every process's metrics stream records (a verdict read back by run id). */
export function withStreamRecords(env: Record<string, string>): Record<string, string> {
  const raw = env[INFLUX_WRITE_ENV];
  if (!raw) throw new Error(`${INFLUX_WRITE_ENV} is not set: no InfluxDB to ship the streams to`);
  return { ...env, [INFLUX_WRITE_ENV]: JSON.stringify({ ...parseInfluxWrite(raw), records: true }) };
}
