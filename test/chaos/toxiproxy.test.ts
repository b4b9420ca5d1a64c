// The real Toxiproxy server in front of the real PostgreSQL: process management, the API
// client, and what the toxics do to a pg connection.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyFault, removeFault, toxicFor } from '../../chaos/apply.js';
import { ensureDbProxy, urlThrough } from '../../chaos/db-proxy.js';
import { ToxiproxyClient, ToxiproxyError, ToxiproxyUnreachable } from '../../chaos/toxiproxy-client.js';
import { freePort, startToxiproxy } from '../../stack/toxiproxy.js';
import { useTestDatabase } from '../support/db.js';
import { connect, median, proxyFor, throughProxy, timeQuery, timings, useToxiproxy } from './helpers.js';

const db = await useTestDatabase();
const tp = await useToxiproxy();
const api = tp.client;

describe('toxiproxy server process', () => {
  it('runs the pinned version on loopback, logging to its file', async () => {
    expect(tp.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tp.version).toBe('2.12.0');
    expect(await api.version()).toBe('2.12.0');
    expect(existsSync(tp.logFile)).toBe(true);
  });

  it('refuses a port another server answers on instead of adopting it', async () => {
    await expect(startToxiproxy({ port: tp.port, logDir: tp.dir, timeoutMs: 5000 })).rejects.toThrow(/port \d+ is taken|another server answers/);
    expect(await api.version()).toBe('2.12.0'); // the first one is untouched
  });
});

describe('toxiproxy client', () => {
  it('creates, lists, disables/enables and deletes proxies', async () => {
    const p = await proxyFor(api, 'crud', db.url);
    expect(p).toMatchObject({ name: 'crud', enabled: true, toxics: [] });
    expect(p.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/); // port 0 became a real port
    expect(Object.keys(await api.listProxies())).toContain('crud');
    expect((await api.disableProxy('crud')).enabled).toBe(false);
    expect((await api.enableProxy('crud')).enabled).toBe(true);
    await api.deleteProxy('crud');
    expect(Object.keys(await api.listProxies())).not.toContain('crud');
  });

  it('ensureDbProxy reuses a matching proxy, replaces one with another upstream, and rewrites the URL', async () => {
    const a = await ensureDbProxy(api, db.url, { name: 'dbp' });
    const u = new URL(db.url);
    expect(a.proxy.upstream).toBe(`${u.hostname}:${u.port}`);
    expect(a.proxiedUrl).toBe(db.url.replace(`:${u.port}/`, `:${a.proxy.listen.split(':')[1]}/`));
    expect((await ensureDbProxy(api, db.url, { name: 'dbp' })).proxy.listen).toBe(a.proxy.listen);
    const other = `postgres://postgres@127.0.0.1:${await freePort()}/x`;
    expect((await ensureDbProxy(api, other, { name: 'dbp' })).proxy.upstream).toBe(`127.0.0.1:${new URL(other).port}`);
    expect(urlThrough('postgres://u:p@127.0.0.1:5432/db?sslmode=disable', '127.0.0.1:4000')).toBe('postgres://u:p@127.0.0.1:4000/db?sslmode=disable');
    await api.deleteProxy('dbp');
  });

  it("errors carry the server's message and status", async () => {
    await proxyFor(api, 'dup', db.url);
    const dup = await api.createProxy({ name: 'dup', upstream: '127.0.0.1:1' }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ToxiproxyError);
    expect(dup).toMatchObject({ status: 409, serverMessage: 'proxy already exists', message: 'Toxiproxy POST /proxies: 409 proxy already exists' });
    await expect(api.getProxy('nope')).rejects.toMatchObject({ status: 404, serverMessage: 'proxy not found' });
    await expect(api.removeToxic('dup', 'nope')).rejects.toMatchObject({ status: 404, serverMessage: 'toxic not found' });
    // a type the server does not know, bypassing the compile-time check
    await expect(api.addToxic('dup', { type: 'gremlins', attributes: {} } as never)).rejects.toMatchObject({ status: 400, serverMessage: 'invalid toxic type' });
    await api.deleteProxy('dup');
  });

  it('reports a server that does not answer', async () => {
    const closed = new ToxiproxyClient(`http://127.0.0.1:${await freePort()}`);
    await expect(closed.version()).rejects.toThrow(ToxiproxyUnreachable);
    await expect(closed.version()).rejects.toThrow(/no answer \(ECONNREFUSED\)/);
  });

  it('talks to loopback only unless MOSHPIT_ALLOW_REMOTE=1', async () => {
    expect(() => new ToxiproxyClient('http://10.1.2.3:8474', { env: {} })).toThrow(/refusing to drive the non-loopback Toxiproxy at 10\.1\.2\.3:8474; set MOSHPIT_ALLOW_REMOTE=1/);
    expect(new ToxiproxyClient('http://10.1.2.3:8474', { env: { MOSHPIT_ALLOW_REMOTE: '1' } }).apiUrl).toBe('http://10.1.2.3:8474');
    expect(() => new ToxiproxyClient('ftp://127.0.0.1:1')).toThrow(/must be http/);
    await expect(api.createProxy({ name: 'far', upstream: '10.1.2.3:5432' })).rejects.toThrow(/non-loopback upstream 10\.1\.2\.3:5432/);
    await expect(api.createProxy({ name: 'open', upstream: '127.0.0.1:5432', listen: '0.0.0.0:0' })).rejects.toThrow(/must listen on loopback/);
    await expect(api.addToxic('x', { type: 'latency', attributes: { latency: 1 }, toxicity: 2 })).rejects.toThrow(/toxicity must be between 0 and 1/);
    expect(Object.keys(await api.listProxies())).not.toContain('far');
  });

  it('adds, updates, lists and removes toxics with their attributes', async () => {
    await proxyFor(api, 'tox', db.url);
    const t = await api.addToxic('tox', { name: 'slow', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 50, jitter: 5 } });
    expect(t).toEqual({ name: 'slow', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 50, jitter: 5 } });
    expect((await api.updateToxic('tox', 'slow', { attributes: { latency: 70 } })).attributes.latency).toBe(70);
    expect((await api.getToxic('tox', 'slow')).attributes.latency).toBe(70);
    // every toxic the timeline can produce is accepted by the real server with these names
    for (const [fault, params] of [
      ['db-reset', { timeout: 0 }], ['db-timeout', { timeout: 5000 }], ['db-bandwidth', { rate: 32 }],
      ['db-slicer', { average_size: 64, size_variation: 32, delay: 500 }], ['db-limit-data', { bytes: 1000 }],
    ] as const) {
      const spec = toxicFor({ fault, params: { ...params, toxicity: 1, stream: 'downstream' } });
      expect(await api.addToxic('tox', spec)).toMatchObject({ name: `moshpit-${fault}`, stream: 'downstream', attributes: params });
    }
    expect((await api.listToxics('tox')).map((x) => x.name).sort()).toEqual(
      ['moshpit-db-bandwidth', 'moshpit-db-limit-data', 'moshpit-db-reset', 'moshpit-db-slicer', 'moshpit-db-timeout', 'slow']);
    await api.removeToxic('tox', 'slow');
    await api.disableProxy('tox');
    await api.reset(); // POST /reset: all toxics gone, proxy enabled again
    expect(await api.getProxy('tox')).toMatchObject({ enabled: true, toxics: [] });
    await api.deleteProxy('tox');
  });
});

describe('faults on a real PostgreSQL connection', () => {
  it('latency 300 ms: SELECT 1 takes at least 300 ms, and is fast again without it', async () => {
    const proxy = await proxyFor(api, 'pg-latency', db.url);
    const c = await connect(throughProxy(db.url, proxy));
    try {
      await timings(c, 3); // warm-up
      const baseline = median(await timings(c, 7));
      await applyFault(api, 'pg-latency', { fault: 'db-latency', params: { latency: 300, jitter: 0, toxicity: 1, stream: 'downstream' } });
      const slowed = await timings(c, 3);
      await removeFault(api, 'pg-latency', { fault: 'db-latency' });
      const after = median(await timings(c, 7));
      for (const ms of slowed) expect(ms).toBeGreaterThanOrEqual(300); // the toxic's own lower bound
      expect(median(slowed) - baseline).toBeGreaterThanOrEqual(250); // the delay comes on top of the baseline
      expect(median(slowed) - after).toBeGreaterThanOrEqual(250); // and goes away with the toxic
      await removeFault(api, 'pg-latency', { fault: 'db-latency' }); // idempotent
    } finally {
      await c.end().catch(() => {});
      await api.deleteProxy('pg-latency');
    }
  });

  it('reset_peer: the query fails with a connection error, new connections too', async () => {
    const proxy = await proxyFor(api, 'pg-reset', db.url);
    const url = throughProxy(db.url, proxy);
    const c = await connect(url);
    try {
      await c.query('SELECT 1');
      await applyFault(api, 'pg-reset', { fault: 'db-reset', params: { timeout: 0, toxicity: 1, stream: 'downstream' } });
      const err = (await c.query('SELECT 1').catch((e: unknown) => e)) as Error & { code?: string };
      expect(err).toBeInstanceOf(Error);
      expect(`${err.code ?? ''} ${err.message}`).toMatch(/ECONNRESET|Connection terminated|connection/i);
      await expect(connect(url)).rejects.toThrow(/ECONNRESET|Connection terminated|connection/i);
      await removeFault(api, 'pg-reset', { fault: 'db-reset' });
      const fresh = await connect(url);
      expect((await fresh.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      await fresh.end();
    } finally {
      await c.end().catch(() => {});
      await api.deleteProxy('pg-reset');
    }
  });

  it('db-down: the proxy refuses connections, then listens on the same port again', async () => {
    const proxy = await proxyFor(api, 'pg-down', db.url);
    const url = throughProxy(db.url, proxy);
    try {
      await applyFault(api, 'pg-down', { fault: 'db-down', params: {} });
      await expect(connect(url)).rejects.toThrow(/ECONNREFUSED/);
      await removeFault(api, 'pg-down', { fault: 'db-down' });
      const c = await connect(url);
      expect(await timeQuery(c)).toBeGreaterThan(0);
      await c.end();
    } finally {
      await api.deleteProxy('pg-down');
    }
  });
});
