// Shared by the chaos tests: a Toxiproxy server of this test file's own (so POST /reset in one
// file never touches another's toxics), a proxy in front of the test database, pg through it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import pg from 'pg';
import { ensureDbProxy, urlThrough } from '../../chaos/db-proxy.js';
import { ToxiproxyClient, type Proxy } from '../../chaos/toxiproxy-client.js';
import { isAlive } from '../../stack/processes.js';
import { startToxiproxy, stopToxiproxy, type StartedToxiproxy } from '../../stack/toxiproxy.js';

export async function useToxiproxy(): Promise<StartedToxiproxy & { client: ToxiproxyClient; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mp-chaos-'));
  const tp = await startToxiproxy({ logDir: dir });
  afterAll(async () => {
    await stopToxiproxy(tp);
    if (isAlive(tp.process)) throw new Error(`toxiproxy pid ${tp.process.pid} survived stopToxiproxy`);
    rmSync(dir, { recursive: true, force: true });
  });
  return { ...tp, dir, client: new ToxiproxyClient(tp.apiUrl) };
}

/** A proxy on a free loopback port in front of the database server of `dbUrl`. */
export async function proxyFor(client: ToxiproxyClient, name: string, dbUrl: string): Promise<Proxy> {
  return (await ensureDbProxy(client, dbUrl, { name })).proxy;
}

export function throughProxy(dbUrl: string, proxy: Proxy): string {
  return urlThrough(dbUrl, proxy.listen);
}

/** A connected client with bounded waits; connection loss is reported by queries, not as a crash. */
export async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: 10_000 });
  c.on('error', () => {}); // a reset connection emits 'error'; the test looks at the query's rejection
  await c.connect();
  return c;
}

export async function timeQuery(c: pg.Client): Promise<number> {
  const t = performance.now();
  await c.query('SELECT 1');
  return performance.now() - t;
}

export async function timings(c: pg.Client, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await timeQuery(c));
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
