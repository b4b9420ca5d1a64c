// --snapshot: a copy of the database taken before the load starts, into results/<run>/snapshot/,
// with pg_dump from the same PostgreSQL binaries the stack uses (findPgBinDir).
// Size rule: a database up to MOSHPIT_SNAPSHOT_FULL_MAX_MB (default 1024 MiB) is dumped whole
// (pg_dump -Fc). A larger one — a user's staging database with real data beside the test data —
// gets its schema (pg_dump -Fc --schema-only) and the test prefix's rows only, one CSV per table,
// selected with the same predicates as rollback-test-data (seed/rollback.ts).
// The password travels in PGPASSWORD, never in argv (which other users can read).
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { TEST_ROWS } from '../seed/rollback.js';
import { prefixLikePattern } from '../seed/test-prefix.js';
import { exec } from './exec.js';
import { findPgBinDir } from './postgres.js';

export const SNAPSHOT_DIR = 'snapshot';
export const DEFAULT_FULL_MAX_MB = 1024;

export interface SnapshotRecord {
  mode: 'full' | 'schema-and-test-data';
  /** Why this mode: the size rule with the database's size. */
  rule: string;
  databaseBytes: number;
  pgDump: string;
  files: Array<{ file: string; bytes: number; rows?: number }>;
  restore: string[];
  takenAt: string;
}

export class SnapshotError extends Error {}

/** MOSHPIT_SNAPSHOT_FULL_MAX_MB, checked before anything starts. */
export function fullDumpLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MOSHPIT_SNAPSHOT_FULL_MAX_MB?.trim();
  if (!raw) return DEFAULT_FULL_MAX_MB * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb < 0) throw new SnapshotError(`MOSHPIT_SNAPSHOT_FULL_MAX_MB must be a number of MiB >= 0, got '${raw}'`);
  return mb * 1024 * 1024;
}

function pgDumpArgs(databaseUrl: string): { env: NodeJS.ProcessEnv; dbname: string } {
  const u = new URL(databaseUrl);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) }, dbname: u.toString() };
}

export async function takeSnapshot(opts: { databaseUrl: string; resultsDir: string; prefix: string; fullMaxBytes?: number }): Promise<SnapshotRecord> {
  const bin = await findPgBinDir();
  if (!bin) throw new SnapshotError('--snapshot needs pg_dump: no PostgreSQL binaries found (Debian: apt-get install postgresql-client)');
  const pgDump = join(bin, 'pg_dump');
  const dir = join(opts.resultsDir, SNAPSHOT_DIR);
  mkdirSync(dir, { recursive: true });
  const limit = opts.fullMaxBytes ?? fullDumpLimitBytes();
  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'moshpit-snapshot' });
  client.on('error', () => {});
  await client.connect();
  try {
    const size = Number((await client.query('SELECT pg_database_size(current_database())::bigint AS b')).rows[0].b);
    const { env, dbname } = pgDumpArgs(opts.databaseUrl);
    const dump = async (file: string, extra: string[]) => {
      const r = await exec(pgDump, ['-Fc', '--no-password', ...extra, '-f', join(dir, file), `--dbname=${dbname}`], { env, check: false });
      if (r.code !== 0) throw new SnapshotError(`pg_dump failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
      return { file, bytes: statSync(join(dir, file)).size };
    };
    const limitMiB = Math.round(limit / 1048576);
    let manifest: SnapshotRecord;
    if (size <= limit) {
      const file = await dump('database.dump', []);
      manifest = {
        mode: 'full', rule: `database ${Math.round(size / 1048576)} MiB <= ${limitMiB} MiB (MOSHPIT_SNAPSHOT_FULL_MAX_MB): dumped whole`,
        databaseBytes: size, pgDump, files: [file], takenAt: new Date().toISOString(),
        restore: [`pg_restore --clean --if-exists --no-owner -d "$DATABASE_URL" ${SNAPSHOT_DIR}/database.dump`],
      };
    } else {
      const files: SnapshotRecord['files'] = [await dump('schema.dump', ['--schema-only'])];
      const pattern = prefixLikePattern(opts.prefix);
      // Parents before children for a restore: the reverse of rollback's delete order.
      for (const t of [...TEST_ROWS].reverse()) {
        const file = `test-data/${t.table}.csv`;
        mkdirSync(join(dir, 'test-data'), { recursive: true });
        const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM ${t.table} WHERE ${t.where}`, [pattern]);
        const out = createWriteStream(join(dir, file));
        // COPY cannot take parameters: the pattern is a validated prefix ([A-Za-z0-9_-]), escaped for LIKE, quoted here.
        const where = t.where.replaceAll('$1', `'${pattern.replace(/'/g, "''")}'`);
        await pipeline(client.query(copyTo(`COPY (SELECT * FROM ${t.table} WHERE ${where}) TO STDOUT WITH (FORMAT csv, HEADER true)`)), out);
        files.push({ file, bytes: statSync(join(dir, file)).size, rows: Number(rows[0].n) });
      }
      manifest = {
        mode: 'schema-and-test-data', rule: `database ${Math.round(size / 1048576)} MiB > ${limitMiB} MiB (MOSHPIT_SNAPSHOT_FULL_MAX_MB): schema and prefix '${opts.prefix}' rows only`,
        databaseBytes: size, pgDump, files, takenAt: new Date().toISOString(),
        restore: [
          `pg_restore --no-owner -d "$DATABASE_URL" ${SNAPSHOT_DIR}/schema.dump   # an empty database`,
          ...files.filter((f) => f.rows !== undefined).map((f) => `psql "$DATABASE_URL" -c "\\copy ${f.file.slice('test-data/'.length, -4)} FROM '${SNAPSHOT_DIR}/${f.file}' CSV HEADER"`),
        ],
      };
    }
    writeFileSync(join(dir, 'snapshot.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await client.end().catch(() => {});
  }
}
