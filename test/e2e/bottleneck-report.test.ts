// A pilot-shaped run (the full festival, on the cheapest profile) whose database has
// pg_stat_statements: its report lists the top statements of the run and plots CPU/RSS of the
// target, PostgreSQL and the load processes; the series are in the results folder.
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

    const r = await runScenarioCli({ databaseUrl: db.url, scenario: 'full', args: ['--profile', 'smoke'], env: { MOSHPIT_DURATION_SCALE: '0.3' }, workDir });
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
    expect(existsSync(join(dir, 'resource-usage.json'))).toBe(true);
  }, 300_000);
});
