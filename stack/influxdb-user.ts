// Who our influxd runs as: ourselves, or (when we are root) the same unprivileged system user
// `moshpit` that runs PostgreSQL, so a daemon listening on a port never holds root.
// Same logic as postgres.ts' private ensurePgUser; postgres.ts could import this one.
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from './exec.js';
import { PG_RUN_USER, type PgUser } from './postgres.js';
import { progress } from './progress.js';

const RUN_HOME = '/var/lib/moshpit';

export async function ensureRunUser(): Promise<PgUser> {
  const uid = process.getuid?.() ?? 1000;
  if (uid !== 0) {
    const home = process.env.HOME ?? '/tmp';
    return { name: process.env.USER ?? String(uid), uid, gid: process.getgid?.() ?? uid, home, isSelf: true };
  }
  let r = await exec('id', ['-u', PG_RUN_USER], { check: false });
  if (r.code !== 0) {
    progress(`creating unprivileged system user '${PG_RUN_USER}' to run moshpit's services`);
    // check: false — postgres.ts may be creating the same user right now; `id` decides.
    await exec('useradd', ['--system', '--user-group', '--home-dir', RUN_HOME, '--create-home', '--shell', '/usr/sbin/nologin', PG_RUN_USER], { check: false });
    r = await exec('id', ['-u', PG_RUN_USER]);
  }
  const runUid = Number(r.stdout.trim());
  const runGid = Number((await exec('id', ['-g', PG_RUN_USER])).stdout.trim());
  if (!existsSync(RUN_HOME)) {
    mkdirSync(RUN_HOME, { recursive: true, mode: 0o700 });
    chownSync(RUN_HOME, runUid, runGid);
  }
  return { name: PG_RUN_USER, uid: runUid, gid: runGid, home: RUN_HOME, isSelf: false };
}

/** mkdir -p, handing every directory we create below the user's home to that user. */
export function mkdirOwnedBy(dir: string, user: PgUser): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user.isSelf) return;
  for (let d = dir; d.startsWith(`${user.home}/`); d = join(d, '..')) chownSync(d, user.uid, user.gid);
}

export function chownTo(path: string, user: PgUser): void {
  if (!user.isSelf) chownSync(path, user.uid, user.gid);
}
