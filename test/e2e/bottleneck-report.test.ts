// A pilot-shaped run (the full festival, on the cheapest profile) whose database has
// pg_stat_statements: its report lists the top statements of the run and plots CPU/RSS of the
// target, PostgreSQL and the load processes; the series are in the results folder. The run
// also takes --snapshot (a pg_dump -Fc before the load) and passes the whole pre-flight
// checklist (hot-path indexes, the signed webhook probe). And --snapshot without a database
// to dump is refused before anything starts.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { BottleneckFile, ResourceSeriesFile } from '../../monitoring/bottleneck/types.js';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir, runScenarioCli } from '../support/scenario-run.js';
import { describeRun } from './run-report.js';

const db = await useTestDatabase();
const workDir = newWorkDir();
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('where the time went, in the report of a full smoke run', () => {
  it('lists the top statements and draws the CPU/RSS plot', async () => {
    // The user's database has the extension (the test cluster preloads the library, as moshpit's does).
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await c.end();

    const r = await runScenarioCli({ databaseUrl: db.url, scenario: 'full', args: ['--profile', 'smoke', '--snapshot'], env: { MOSHPIT_DURATION_SCALE: '0.3' }, workDir });
    const why = describeRun(r);
    expect(r.code, why).toBe(0);
    const dir = r.runDir!;
    const b = JSON.parse(readFileSync(join(dir, 'bottlenecks.json'), 'utf8')) as BottleneckFile;
    if (!b.statements.available) throw new Error(`statements unavailable: ${b.statements.reason}`);
    expect(b.statements.mode).toBe('snapshot'); // a user's database: never reset
    expect(b.statements.byTotalTime.some((s) => /sp_process_/.test(s.query)), JSON.stringify(b.statements.byTotalTime)).toBe(true);
    expect(b.pool.available, JSON.stringify(b.pool)).toBe(true);
    expect(b.lockWaits.available).toBe(true);
    expect(b.seqScans.available).toBe(true);
    if (!b.resources.available) throw new Error(b.resources.reason);
    expect(Object.keys(b.resources.groups).sort()).toEqual(['load', 'postgres', 'target']);

    const series = JSON.parse(readFileSync(join(dir, 'resource-usage.json'), 'utf8')) as ResourceSeriesFile;
    for (const g of ['target', 'postgres', 'load']) expect(series.groups[g]!.length, g).toBeGreaterThan(2);

    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('### Where the time went');
    expect(md).toContain('**Top statements by total time**');
    expect(md).toMatch(/\| SELECT .*sp_process_\w+/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h2 id="where-the-time-went">Where the time went</h2>');
    expect(html).toMatch(/<figcaption>CPU by process group<\/figcaption>.*?<path class="series"/s);
    expect(html).toMatch(/<figcaption>Memory \(RSS\) by process group<\/figcaption>.*?<path class="series"/s);

    const snapshot = JSON.parse(readFileSync(join(dir, 'snapshot', 'snapshot.json'), 'utf8')) as { mode: string; takenAt: string };
    expect(snapshot.mode).toBe('full');
    expect(existsSync(join(dir, 'snapshot', 'database.dump'))).toBe(true);
    expect(Date.parse(snapshot.takenAt)).toBeLessThan(b.window.startMs); // before the load
    const preflight = JSON.parse(readFileSync(join(dir, 'preflight.json'), 'utf8')) as { checks: Array<{ name: string; ok: boolean }> };
    expect(preflight.checks.filter((c) => ['hot-path-indexes', 'webhook-endpoint'].includes(c.name))).toEqual([
      expect.objectContaining({ name: 'hot-path-indexes', ok: true }), expect.objectContaining({ name: 'webhook-endpoint', ok: true }),
    ]);
  }, 300_000);

  it('refuses --snapshot against a deployment without DATABASE_URL (exit 2, nothing started)', async () => {
    const r = await runScenarioCli({
      databaseUrl: '', scenario: 'entry', args: ['--snapshot'],
      env: { TARGET_URL: 'http://127.0.0.1:9', API_KEY: 'mk_test_any', STRIPE_WEBHOOK_SECRET: 'whsec_test_any' }, workDir,
    });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--snapshot needs the target's database: set DATABASE_URL/);
  }, 60_000);
});
