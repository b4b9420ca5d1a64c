// Pre-flight, when the run streams to InfluxDB: the dashboards' datasources respond. Every
// datasource a dashboard references (by uid) must be provisioned, and every provisioned
// InfluxDB datasource must answer a query on its database at the run's InfluxDB — a wrong
// database name would leave every panel of its dashboards empty.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InfluxClient, rows } from '../../monitoring/influx/influx-client.js';
import { projectRoot } from '../../stack/paths.js';
import type { CheckOutcome } from './database-checks.js';

export const GRAFANA_DIR = join(projectRoot, 'monitoring', 'grafana');
const DATASOURCES_DIR = join('provisioning', 'datasources');
const DASHBOARDS_DIR = 'dashboards';

export interface ProvisionedDatasource { name: string; uid: string; type: string; database: string | null }

export function provisionedDatasources(grafanaDir = GRAFANA_DIR): ProvisionedDatasource[] {
  const dir = join(grafanaDir, DATASOURCES_DIR);
  const out: ProvisionedDatasource[] = [];
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const doc = parse(readFileSync(join(dir, f), 'utf8')) as { datasources?: Array<{ name?: string; uid?: string; type?: string; database?: string; jsonData?: { dbName?: string } }> } | null;
    for (const d of doc?.datasources ?? []) {
      out.push({ name: String(d.name ?? d.uid ?? '?'), uid: String(d.uid ?? ''), type: String(d.type ?? ''), database: d.jsonData?.dbName ?? d.database ?? null });
    }
  }
  return out;
}

/** Datasource uids the dashboards' panels, targets and variables reference. */
export function referencedDatasourceUids(grafanaDir = GRAFANA_DIR): Map<string, string[]> {
  const dir = join(grafanaDir, DASHBOARDS_DIR);
  const refs = new Map<string, string[]>();
  const walk = (node: unknown, file: string): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, file));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource' && v && typeof v === 'object' && typeof (v as { uid?: unknown }).uid === 'string') {
        const uid = (v as { uid: string }).uid;
        // Grafana's own pseudo-datasources (annotations' "-- Grafana --") are not ours to provision.
        if (!uid.startsWith('-- ') && uid !== 'grafana') refs.set(uid, [...new Set([...(refs.get(uid) ?? []), file])]);
      } else walk(v, file);
    }
  };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) walk(JSON.parse(readFileSync(join(dir, f), 'utf8')), f);
  return refs;
}

export async function checkDashboardDatasources(influxUrl: string, grafanaDir = GRAFANA_DIR, timeoutMs = 10_000): Promise<CheckOutcome> {
  const provisioned = provisionedDatasources(grafanaDir);
  const problems: string[] = [];
  for (const [uid, files] of referencedDatasourceUids(grafanaDir)) {
    if (!provisioned.some((d) => d.uid === uid)) problems.push(`datasource uid '${uid}' used by ${files.join(', ')} is not provisioned`);
  }
  const answered: string[] = [];
  const admin = new InfluxClient({ url: influxUrl, timeoutMs });
  let databases: Set<string>;
  try {
    databases = new Set(rows(await admin.query('SHOW DATABASES')).map((r) => String(r.name)));
  } catch (err) {
    return { ok: false, detail: `dashboards' datasources: InfluxDB at ${influxUrl} does not answer (${(err as Error).message})` };
  }
  for (const d of provisioned.filter((x) => x.type === 'influxdb')) {
    if (!d.database) {
      problems.push(`datasource '${d.name}' names no database`);
      continue;
    }
    // InfluxDB 1.x answers a query on a missing database with an empty result, not an error.
    if (!databases.has(d.database)) {
      problems.push(`datasource '${d.name}' (database ${d.database}): database not found on ${influxUrl} (it has ${[...databases].join(', ') || 'none'})`);
      continue;
    }
    try {
      await new InfluxClient({ url: influxUrl, database: d.database, timeoutMs }).query('SHOW MEASUREMENTS LIMIT 1');
      answered.push(`${d.uid} (${d.database})`);
    } catch (err) {
      problems.push(`datasource '${d.name}' (database ${d.database}): ${(err as Error).message}`);
    }
  }
  return problems.length
    ? { ok: false, detail: `dashboards' datasources: ${problems.join('; ')}` }
    : { ok: true, detail: `${answered.length} InfluxDB datasources answer at ${influxUrl}: ${answered.join(', ')}; every uid the dashboards use is provisioned` };
}
