// The Supabase CLI layout, from the one source of each part, so nothing in supabase/ is written
// twice by hand:
//   supabase/migrations/<version>_<name>.sql   links to platform/migrations/*.sql (the Supabase
//                                              CLI follows them); the roles-and-grants migration
//                                              after them is Supabase's own, written there;
//   supabase/functions/_shared/moshpit-edge.js platform/edge-functions/ bundled for Deno: build
//                                              output (git-ignored), written by sync before a deploy.
// `npm run supabase:sync` writes them; test/supabase/layout.test.ts fails when a link has
// drifted or the grants miss an object of the platform migrations.
import * as esbuild from 'esbuild';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { migrationFiles } from '../stack/migrate.js';
import { migrationsDir, projectRoot } from '../stack/paths.js';

export const supabaseDir = join(projectRoot, 'supabase');
export const supabaseMigrationsDir = join(supabaseDir, 'migrations');
export const edgeBundleFile = join(supabaseDir, 'functions', '_shared', 'moshpit-edge.js');

/** Supabase wants <digits>_<name>.sql; platform file NNN_name.sql becomes 20240101000NNN_name.sql. */
const VERSION_BASE = '20240101000';
/** Supabase roles, grants and RLS (written for Supabase, committed): after every platform migration. */
export const GRANTS_MIGRATION = `${VERSION_BASE}900_supabase_roles_and_grants.sql`;


export function supabaseMigrationName(platformFile: string): string {
  const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(platformFile);
  if (!m) throw new Error(`platform migration ${platformFile} is not named NNN_name.sql`);
  return `${VERSION_BASE}${m[1]}_${m[2]}.sql`;
}

/** Tables and functions the platform migrations create: what the grants must cover, and nothing else of the project. */
export function platformObjects(sql: string): { tables: string[]; functions: string[] } {
  const tables = [...sql.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]!);
  const functions = [...new Set([...sql.matchAll(/CREATE OR REPLACE FUNCTION (\w+)\(/g)].map((m) => m[1]!))];
  return { tables, functions };
}

export async function edgeBundle(): Promise<string> {
  const out = await esbuild.build({
    absWorkingDir: projectRoot,
    entryPoints: [join(projectRoot, 'platform', 'edge-functions', 'index.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
    banner: { js: '// moshpit edge-function logic for Deno. Built by `npm run supabase:sync` from platform/edge-functions/; do not edit.' },
  });
  return out.outputFiles[0]!.text;
}

/** supabase/migrations links, by path relative to the project root: link target of each. */
export function supabaseMigrationLinks(): Map<string, string> {
  const links = new Map<string, string>();
  for (const file of migrationFiles()) {
    const rel = join('supabase', 'migrations', supabaseMigrationName(file));
    links.set(rel, relative(dirname(join(projectRoot, rel)), join(migrationsDir, file)));
  }
  return links;
}

/** Migration links that are missing or point elsewhere, and files that are neither a link nor the grants migration. */
export function supabaseDrift(): string[] {
  const links = supabaseMigrationLinks();
  const drift = [...links].filter(([rel, target]) => {
    const path = join(projectRoot, rel);
    return !existsSync(path) || !lstatSync(path).isSymbolicLink() || readlinkSync(path) !== target;
  }).map(([rel]) => rel);
  for (const f of existsSync(supabaseMigrationsDir) ? readdirSync(supabaseMigrationsDir) : []) {
    const rel = join('supabase', 'migrations', f);
    if (!links.has(rel) && f !== GRANTS_MIGRATION) drift.push(rel);
  }
  return drift.sort();
}

/** Writes the links and the edge bundle; removes migrations no longer linked. Returns what changed. */
export async function syncSupabaseLayout(): Promise<string[]> {
  const links = supabaseMigrationLinks();
  const changed = supabaseDrift();
  for (const rel of changed) {
    const path = join(projectRoot, rel);
    const target = links.get(rel);
    rmSync(path, { force: true });
    if (target === undefined) continue;
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(target, path);
  }
  const bundle = await edgeBundle();
  if (!existsSync(edgeBundleFile) || readFileSync(edgeBundleFile, 'utf8') !== bundle) {
    mkdirSync(dirname(edgeBundleFile), { recursive: true });
    writeFileSync(edgeBundleFile, bundle);
    changed.push(relative(projectRoot, edgeBundleFile));
  }
  return changed;
}
