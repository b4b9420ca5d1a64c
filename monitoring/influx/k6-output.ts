// k6's built-in InfluxDB v1 output (still built into k6 v2.2.0: `--out influxdb=URL/DB`),
// configured so every point carries the run's id and profile as tags, and per-request
// values that would explode InfluxDB's series index are stored as fields instead.
import { checkInfluxUrl } from './loopback.js';

/**
 * Tags k6 writes as InfluxDB fields (K6_INFLUXDB_TAGS_AS_FIELDS; replaces k6's default
 * "vu,iter,url", so that default is repeated here). A tag is indexed: one series per
 * distinct value set. These are unbounded per run, so as tags they would blow up the index:
 * - vu, iter: one value per VU / iteration (integers, so Grafana can still filter on them);
 * - url: contains wallet/intent ids (`name` carries the route template and stays a tag);
 * - error: free text with addresses and ports (group by the bounded `error_code` tag instead);
 * - ip: per-connection remote address when a script enables that system tag.
 * Bounded tags (name, method, status, scenario, op, check, group, error_code, testid,
 * profile) stay tags so Grafana can GROUP BY them.
 */
export const K6_TAGS_AS_FIELDS = ['vu:int', 'iter:int', 'url', 'error', 'ip'] as const;

export interface K6InfluxOptions {
  runId: string;
  profile: string;
  /** Database k6 writes to (created by k6 if missing). */
  database?: string;
  /** k6 replaces the script's `options.tags` with the CLI's --tag set: pass the script's
   *  other run-wide tags here (e.g. target_kind) to keep them. */
  extraTags?: Record<string, string>;
  /** More tags to store as fields, e.g. a custom per-request id. */
  extraTagsAsFields?: string[];
  /** K6_INFLUXDB_PUSH_INTERVAL, e.g. '1s' (k6's default). */
  pushInterval?: string;
  /** K6_INFLUXDB_CONCURRENT_WRITES (k6's default: 4). */
  concurrentWrites?: number;
}

const TAG_VALUE = /^[A-Za-z0-9._:@/-]{1,200}$/;

/** Arguments for `k6 run` and env entries for its process. `url` is the InfluxDB base URL. */
export function k6InfluxArgs(url: string, opts: K6InfluxOptions): { args: string[]; env: Record<string, string> } {
  const base = checkInfluxUrl(url).toString().replace(/\/+$/, '');
  const tags: Record<string, string> = { ...opts.extraTags, testid: opts.runId, profile: opts.profile };
  for (const [k, v] of Object.entries(tags)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || !TAG_VALUE.test(v)) throw new Error(`k6 run tag ${k}=${JSON.stringify(v)} is not a plain token`);
  }
  const db = opts.database ?? 'k6';
  if (!/^[A-Za-z0-9_-]+$/.test(db)) throw new Error(`bad InfluxDB database name ${JSON.stringify(db)}`);

  const args = ['--out', `influxdb=${base}/${db}`];
  for (const [k, v] of Object.entries(tags)) args.push('--tag', `${k}=${v}`);

  const env: Record<string, string> = {
    K6_INFLUXDB_TAGS_AS_FIELDS: [...K6_TAGS_AS_FIELDS, ...(opts.extraTagsAsFields ?? [])].join(','),
  };
  if (opts.pushInterval) env.K6_INFLUXDB_PUSH_INTERVAL = opts.pushInterval;
  if (opts.concurrentWrites !== undefined) {
    if (!Number.isInteger(opts.concurrentWrites) || opts.concurrentWrites < 1) throw new Error('concurrentWrites must be a positive integer');
    env.K6_INFLUXDB_CONCURRENT_WRITES = String(opts.concurrentWrites);
  }
  return { args, env };
}
