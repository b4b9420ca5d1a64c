// The proxy the DB faults act on: Toxiproxy listening on loopback in front of PostgreSQL.
// The target's DATABASE_URL is rewritten to go through it; verification and seeding keep the
// direct URL, so they are never slowed by a fault.
import { ToxiproxyError, type Proxy, type ToxiproxyClient } from './toxiproxy-client.js';

export const DB_PROXY_NAME = 'moshpit_pg';

export interface DbProxy {
  proxy: Proxy;
  /** databaseUrl with host:port replaced by the proxy's listen address */
  proxiedUrl: string;
}

function hostPort(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `${u.hostname}:${u.port || '5432'}`;
}

export function urlThrough(databaseUrl: string, listen: string): string {
  const u = new URL(databaseUrl);
  const colon = listen.lastIndexOf(':');
  u.hostname = listen.slice(0, colon);
  u.port = listen.slice(colon + 1);
  return u.toString();
}

/**
 * Creates the proxy (listen default 127.0.0.1:0, a free port), or reuses an existing one with
 * the same upstream; one with another upstream is replaced.
 */
export async function ensureDbProxy(client: ToxiproxyClient, databaseUrl: string, opts: { name?: string; listen?: string } = {}): Promise<DbProxy> {
  const name = opts.name ?? DB_PROXY_NAME;
  const upstream = hostPort(databaseUrl);
  let proxy: Proxy | null = null;
  try {
    proxy = await client.getProxy(name);
  } catch (err) {
    if (!(err instanceof ToxiproxyError && err.status === 404)) throw err;
  }
  if (proxy && (proxy.upstream !== upstream || (opts.listen && !opts.listen.endsWith(':0') && proxy.listen !== opts.listen))) {
    await client.deleteProxy(name);
    proxy = null;
  }
  proxy ??= await client.createProxy({ name, upstream, listen: opts.listen });
  return { proxy, proxiedUrl: urlThrough(databaseUrl, proxy.listen) };
}
