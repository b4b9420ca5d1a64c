// The embedded PostgreSQL admits nobody without its password: no trust over TCP, a private
// socket directory, the password 0600 and in the cluster's URL. Clusters of their own (their
// own MOSHPIT_CLUSTER_ID, run in child processes), so the shared test cluster is never touched;
// clusters created by older versions (trust) are migrated in place, data kept.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';
import { tryLogin } from '../../stack/postgres.js';

interface Cluster { url: string; port: number; dataDir: string; socketDir: string; passwordFile: string; binDir: string; pgUser: string }

const isRoot = process.getuid?.() === 0;
const created: Cluster[] = [];
const env = (id: string): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, MOSHPIT_CLUSTER_ID: id };
  delete e.PGPASSWORD;
  return e;
};

/** Runs `body` (an async function body with `m` = stack/postgres.ts) in a child with that cluster id; returns its JSON. */
async function inCluster<T>(id: string, body: string): Promise<T> {
  const code = `const m = await import(${JSON.stringify(join(projectRoot, 'stack/postgres.ts'))});\n${body}`;
  const r = await exec(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: env(id), cwd: projectRoot, check: false });
  if (r.code !== 0) throw new Error(`child for cluster ${id} exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

const DESCRIBE = `{
  const info = await m.clusterInfo();
  console.log(JSON.stringify({ url: c.url, port: c.port, dataDir: c.dataDir, socketDir: info.socketDir, passwordFile: info.passwordFile, binDir: info.binDir, pgUser: info.user.name }));
}`;

async function start(id: string): Promise<Cluster> {
  const c = await inCluster<Cluster>(id, `const c = await m.startCluster();\n${DESCRIBE}`);
  if (!created.some((x) => x.dataDir === c.dataDir)) created.push(c);
  return c;
}

/** A cluster as versions before the password created it: initdb --auth=trust, started, holding data. */
async function legacyTrustCluster(id: string, running: boolean): Promise<void> {
  const c = await inCluster<Cluster>(id, `
    const { writeFileSync, chownSync } = await import('node:fs');
    const { join } = await import('node:path');
    const info = await m.clusterInfo();
    await m.execAsPgUser(info.user, join(info.binDir, 'initdb'), ['-D', info.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    writeFileSync(join(info.dataDir, 'conf.d-moshpit.conf'), "listen_addresses = '127.0.0.1'\\n");
    writeFileSync(join(info.dataDir, 'postgresql.conf'), "\\ninclude 'conf.d-moshpit.conf'\\n", { flag: 'a' });
    if (!info.user.isSelf) chownSync(join(info.dataDir, 'conf.d-moshpit.conf'), info.user.uid, info.user.gid);
    const pgCtl = (...a) => m.execAsPgUser(info.user, join(info.binDir, 'pg_ctl'), ['-D', info.dataDir, ...a]);
    await pgCtl('-l', info.logFile, '-w', '-o', '-p ' + info.port + ' -k ' + info.socketDir, 'start');
    const psql = (sql) => m.execAsPgUser(info.user, join(info.binDir, 'psql'), ['-h', '127.0.0.1', '-p', String(info.port), '-U', 'postgres', '-d', 'postgres', '-c', sql]);
    await psql('CREATE DATABASE moshpit');
    await m.execAsPgUser(info.user, join(info.binDir, 'psql'), ['-h', '127.0.0.1', '-p', String(info.port), '-U', 'postgres', '-d', 'moshpit', '-c', "CREATE TABLE kept AS SELECT 'from before' AS note"]);
    ${running ? '' : "await pgCtl('-m', 'fast', '-w', 'stop');"}
    const c = { url: '', port: info.port, dataDir: info.dataDir };
    ${DESCRIBE}`);
  created.push(c);
}

afterAll(async () => {
  for (const c of created) {
    const stop = [join(c.binDir, 'pg_ctl'), '-D', c.dataDir, '-m', 'immediate', '-w', 'stop'];
    if (isRoot) await exec('runuser', ['-u', c.pgUser, '--', ...stop], { check: false, cwd: '/' });
    else await exec(stop[0]!, stop.slice(1), { check: false });
    rmSync(c.socketDir, { recursive: true, force: true });
  }
});

/** Login over TCP with this password; null when it worked, else the server's SQLSTATE. */
const login = (port: number, password: string) => tryLogin(port, password, 'moshpit');

/** psql as another OS user, no password anywhere (no PGPASSWORD, no ~/.pgpass, never prompt). */
function psqlAs(user: string, c: Cluster, args: string[]) {
  return exec('runuser', ['-u', user, '--', 'env', '-u', 'PGPASSWORD', 'HOME=/nonexistent', join(c.binDir, 'psql'), '-w', '-X', ...args], { check: false, cwd: '/' });
}

const ATTACK = ['-c', "COPY (SELECT 1) TO PROGRAM 'id'"];

async function expectLockedDown(c: Cluster): Promise<void> {
  const password = readFileSync(c.passwordFile, 'utf8').trim();
  expect(password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  expect(new URL(c.url).password).toBe(password);
  expect(statSync(c.passwordFile).mode & 0o777).toBe(0o600);
  expect(statSync(c.socketDir).mode & 0o777).toBe(0o700);
  const hba = readFileSync(join(c.dataDir, 'pg_hba.conf'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  expect(hba.join('\n')).not.toMatch(/\btrust\b/);
  expect(hba.filter((l) => l.startsWith('host')).every((l) => /\bscram-sha-256$/.test(l.trim()))).toBe(true);

  // The URL works; a wrong password does not.
  expect(await login(c.port, password)).toBeNull();
  expect(await login(c.port, 'wrong')).toBe('28P01');
  const client = new pg.Client({ connectionString: c.url });
  await client.connect();
  expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('postgres');
  await client.end();
}

describe('embedded PostgreSQL authentication', () => {
  it('a fresh cluster: password in the URL (0600 file), no trust, private socket directory', async () => {
    const c = await start(`auth-new-${process.pid}`);
    await expectLockedDown(c);
    // Adopting the running cluster gives the same URL.
    expect((await start(`auth-new-${process.pid}`)).url).toBe(c.url);
  });

  it.skipIf(!isRoot)('another OS user is refused: over TCP without the password, on the socket, and the password file', async () => {
    const c = await start(`auth-new-${process.pid}`);
    const tcp = await psqlAs('nobody', c, [`postgres://postgres@127.0.0.1:${c.port}/moshpit`, ...ATTACK]);
    expect(tcp.code).not.toBe(0);
    expect(tcp.stderr).toMatch(/no password supplied|password authentication failed/);
    const wrong = await psqlAs('nobody', c, [`postgres://postgres:guess@127.0.0.1:${c.port}/moshpit`, ...ATTACK]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/password authentication failed/);
    const socket = await psqlAs('nobody', c, ['-h', c.socketDir, '-p', String(c.port), '-U', 'postgres', '-d', 'moshpit', ...ATTACK]);
    expect(socket.code).not.toBe(0);
    expect(socket.stderr).toMatch(/Permission denied|No such file/);
    const read = await exec('runuser', ['-u', 'nobody', '--', 'cat', c.passwordFile], { check: false, cwd: '/' });
    expect(read.code).not.toBe(0);
    // Even the cluster's own OS user needs the password over TCP.
    const own = await psqlAs(c.pgUser, c, [`postgres://postgres@127.0.0.1:${c.port}/moshpit`, ...ATTACK]);
    expect(own.code).not.toBe(0);
    expect(own.stderr).toMatch(/no password supplied/);
    // With the password it works (the URL is the credential).
    const ok = await psqlAs('nobody', c, [c.url, '-tAc', 'SELECT 42']);
    expect(ok.stdout.trim()).toBe('42');
  });

  it.each([
    ['running', true],
    ['stopped', false],
  ])('a trust cluster of an older version (%s) is migrated in place, its data kept', async (_, running) => {
    const id = `auth-old-${running ? 'up' : 'down'}-${process.pid}`;
    await legacyTrustCluster(id, running);
    const c = await start(id);
    await expectLockedDown(c);
    const client = new pg.Client({ connectionString: c.url });
    await client.connect();
    expect((await client.query('SELECT note FROM kept')).rows).toEqual([{ note: 'from before' }]);
    await client.end();
    if (isRoot) {
      const tcp = await psqlAs('nobody', c, [`postgres://postgres@127.0.0.1:${c.port}/moshpit`, ...ATTACK]);
      expect(tcp.code).not.toBe(0);
      expect(tcp.stderr).toMatch(/no password supplied|password authentication failed/);
    }
  });
});
