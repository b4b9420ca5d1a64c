// The run report, rendered in a real browser: a smoke run of the full scenario with --influx
// writes results/<run-id>/report.html at the end; headless Chromium must draw every chart
// (paths with a length, counted by the page itself), the file must be self-contained and
// small, and the same report without InfluxDB must still draw, and say why it has no time
// series. A screenshot is kept for people to look at.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADVERSARIAL_KINDS } from '../../core/thresholds.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';
import { autoInterval } from '../../monitoring/grafana/panel-queries.js';
import { influxCharts, sampleCharts } from '../../monitoring/report/run-charts.js';
import { readRunFiles } from '../../monitoring/report/run-files.js';
import { useTestDatabase } from '../support/db.js';
import { newWorkDir, runScenarioCli, type ScenarioRun } from '../support/scenario-run.js';
import { recordChaosWindowDuringRun, RECORDED_FAULT } from './chaos-window-recorder.js';
import { dumpDom, ensureChromium, screenshot } from './chromium.js';
import { startTestInflux, type TestInflux } from './influx-fixture.js';

const MAX_REPORT_BYTES = 2 * 1024 * 1024;
/** Where the screenshots stay after the test, for a person to look at. */
export const SCREENSHOT_DIR = join(tmpdir(), 'moshpit-report-screenshots');

const db = await useTestDatabase();
let influx: TestInflux | null = null;
let run: ScenarioRun;
let chromium: string;
const work = newWorkDir();

beforeAll(async () => {
  influx = await startTestInflux();
  let done = false;
  const chaos = recordChaosWindowDuringRun(join(work, 'results'), () => done);
  [chromium, run] = await Promise.all([
    ensureChromium(),
    runScenarioCli({
      databaseUrl: db.url,
      scenario: 'full',
      workDir: work,
      args: ['--profile', 'smoke', '--wallets', '1000'],
      // The report's request-log part needs the target's log, off by default.
      env: { MOSHPIT_INFLUX_URL: influx.influx.url, MOSHPIT_DURATION_SCALE: '0.4', MOSHPIT_DB_MONITOR_INTERVAL: '1', MOSHPIT_REQUEST_LOG: 'on' },
    }),
  ]);
  done = true;
  await chaos;
}, 600_000);

afterAll(async () => {
  await influx?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** What the page recorded about its own charts once its script ran. */
function drawn(dom: string): { total: number; figures: number[] } {
  const total = Number(/<html[^>]*data-charts-drawn="(\d+)"/.exec(dom)?.[1] ?? -1);
  const figures = [...dom.matchAll(/<figure class="chart" data-drawn-paths="(\d+)"/g)].map((m) => Number(m[1]));
  return { total, figures };
}

function cli(args: string[]) {
  return exec(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), ...args], {
    cwd: projectRoot, check: false, env: { ...process.env, MOSHPIT_RESULTS_DIR: join(work, 'results'), MOSHPIT_STATE_DIR: join(work, 'state') },
  });
}

describe('run report in headless Chromium', () => {
  it('the orchestrator wrote a self-contained report.html and report.md for the run', () => {
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const html = join(run.runDir!, 'report.html');
    expect(run.stderr).toContain(`report: ${html}`);
    expect(statSync(html).size).toBeLessThan(MAX_REPORT_BYTES);
    const text = readFileSync(html, 'utf8');
    // Nothing to fetch: no external scripts, styles, images or fonts.
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img|url\(|@import/i);
    expect(text).toMatch(/<div class="verdict PASS">/);
    const md = readFileSync(join(run.runDir!, 'report.md'), 'utf8');
    expect(md).toMatch(/^## moshpit ✅ PASS — `/);
    expect(md).toMatch(/### Thresholds/);
    expect(md).toMatch(/\| order \| \d+ \| [\d,.]+ \| \d+ \(/);
    // Pre-flight checked the dashboards' datasources on the run's InfluxDB.
    const preflight = JSON.parse(readFileSync(join(run.runDir!, 'preflight.json'), 'utf8')) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(preflight.checks.find((c) => c.name === 'dashboard-datasources')).toMatchObject({ ok: true, detail: expect.stringContaining(influx!.influx.url) });
  });

  it('every chart draws in Chromium, with the chaos window shaded', async () => {
    const html = join(run.runDir!, 'report.html');
    const dom = await dumpDom(chromium, html);
    const { total, figures } = drawn(dom);
    expect(figures.length).toBeGreaterThanOrEqual(20); // 22 dashboard panels + 2 request-log charts, minus any without data
    expect(figures.filter((n) => n === 0)).toEqual([]);
    expect(total).toBe(figures.length);
    expect(dom).toContain('time series from InfluxDB'.replace('time series', 'Time series'));
    expect(dom).toMatch(new RegExp(`<g class="band"><rect [^>]+><title>${RECORDED_FAULT.fault}</title>`));
    for (const section of ['Thresholds', 'Load and latency', 'Money', 'Gates', 'Money validation', 'Target request log', 'Database', 'Environment and versions']) {
      expect(dom).toContain(`<h2>${section}</h2>`);
    }
    // The CPU/RSS plot of "Where the time went" draws like the rest.
    expect(dom).toContain('<h2 id="where-the-time-went">Where the time went</h2>');
    expect(Number(/<figure class="chart" data-drawn-paths="(\d+)"><figcaption>CPU by process group/.exec(dom)?.[1] ?? 0)).toBeGreaterThan(0);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const png = join(SCREENSHOT_DIR, `${run.runId}.png`);
    await screenshot(chromium, html, png);
    copyFileSync(html, join(SCREENSHOT_DIR, `${run.runId}.html`));
    expect(statSync(png).size).toBeGreaterThan(50_000);
  });

  it('the database charts read the same from InfluxDB as from db-monitor.json', async () => {
    const files = readRunFiles(run.runDir!);
    const { startMs, endMs } = files.influx!.k6;
    const intervalMs = Math.max(files.dbMonitor!.intervalMs, autoInterval(startMs, endMs!));
    const fromInflux = (await influxCharts(influx!.client('k6'), { runId: run.runId!, fromMs: startMs - 2000, toMs: endMs! + 2000, intervalMs })).charts;
    const fromFile = sampleCharts(files.dbMonitor!, intervalMs);
    expect(fromFile.length).toBeGreaterThanOrEqual(7);
    for (const c of fromFile) {
      const twin = fromInflux.find((x) => x.title === c.title)!;
      for (const s of c.series) {
        const i = twin.series.find((x) => x.name === s.name)!;
        const values = (pts: Array<[number, number | null]>) => pts.filter(([, v]) => v !== null);
        expect(values(i.points).length, `${c.title}/${s.name}`).toBe(values(s.points).length);
        values(s.points).forEach(([t, v], k) => {
          expect(values(i.points)[k]![0]).toBe(t);
          expect(values(i.points)[k]![1]).toBeCloseTo(v!, 6);
        });
      }
    }
  });

  it("the target's request log saw exactly the requests the load sent during the run", () => {
    const log = readRunFiles(run.runDir!).requestLog!;
    expect(log.totals.requests).toBe(run.summary!.metrics.http_reqs!.values.count);
    expect(log.totals.serverErrors).toBe(0);
    // The only request errors are the refusals the adversarial client share provokes on purpose
    // (400 for a hostile amount, 422 for a reused key): at most two requests per misbehaviour.
    const misbehaviours = ADVERSARIAL_KINDS.reduce((sum, k) => sum + (run.summary!.metrics[`moshpit_adversarial{kind:${k}}`]?.values.count ?? 0), 0);
    expect(log.totals.requestErrors).toBeLessThanOrEqual(2 * misbehaviours);
    expect(log.walletMismatches.wallets).toBe(0);
    expect(log.endpoints.map((e) => e.endpoint)).toEqual(expect.arrayContaining(['POST /v1/orders', 'POST /v1/scans/entry', 'POST /v1/webhooks/stripe']));
  });

  it('without InfluxDB the report says so, and still draws', async () => {
    const r = await cli(['generate-report', '--run', run.runId!, '--no-influx']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/time series from the summary only/);
    const html = join(run.runDir!, 'report.html');
    const dom = await dumpDom(chromium, html);
    expect(dom).toMatch(/did not stream to InfluxDB/);
    const { total, figures } = drawn(dom);
    expect(figures.filter((n) => n === 0)).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(2 + 7 + 2); // latency and request bars, db monitor, request log
    await screenshot(chromium, html, join(SCREENSHOT_DIR, `${run.runId}-no-influx.png`));

    // InfluxDB gone: the report is still written, with a note saying what happened.
    await influx!.stop();
    influx = null;
    const gone = await cli(['generate-report', '--run', run.runId!]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toMatch(/note: The run streamed to InfluxDB at http:\/\/127\.0\.0\.1:\d+, which cannot be read now/);
    expect(existsSync(html)).toBe(true);
  });
});
