// The plan's steady-rate phases on real Artillery: every phase emits exactly the arrivals the
// plan counts for it (phaseArrivals, which processes write as plannedArrivals and close their
// stream on), through Artillery's own phaser and through the launcher the pipeline runs. Counts
// only: nothing here depends on how fast the machine is.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { phaseArrivals, phasesFor, plannedArrivals, type ArtilleryPhase, type WorkloadLoad } from '../../cli/pipeline/engine/artillery-plan.js';
import { buildArtilleryProcessor, launcherFile } from '../../build/processor-bundle.js';
import { ENGINE_QUIET_ENV } from '../../cli/pipeline/engine/artillery-run.js';
import { exec } from '../../stack/exec.js';

const work = mkdtempSync(join(tmpdir(), 'mp-arrivals-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pool = { preAllocatedVUs: 10, maxVUs: 50 };
// 13 s each, run side by side: between them every kind of phase the plan writes.
const LOADS: WorkloadLoad[] = [
  // A rising rate (1 -> 25/s), then a 3-s slice: steady runs, 2-s steps, a lone second.
  { workload: 'concession', lanes: 1, shape: { executor: 'ramping-arrival-rate', startPerMinute: 60, stages: [{ durationSeconds: 10, target: 1500 }, { durationSeconds: 3, target: 1350 }], ...pool } },
  // Fewer arrivals than seconds: single arrivals spread, pauses between.
  { workload: 'reentry', lanes: 1, shape: { executor: 'constant-arrival-rate', perMinute: 14, durationSeconds: 13, ...pool } },
  // A closed population: its starting VUs in the first second (arrivalCount), then rises.
  { workload: 'browse', lanes: 1, shape: { executor: 'ramping-vus', startVUs: 3, stages: [{ durationSeconds: 13, target: 40 }] } },
];

const kinds = (phases: ArtilleryPhase[]) => new Set(phases.map((p) => (p.pause !== undefined ? 'pause'
  : p.arrivalCount !== undefined ? 'count'
    : p.arrivalRate !== p.rampTo ? 'step' : p.duration === 1 ? 'lone-rate' : 'steady')));

interface Phaser { on(event: 'arrival', fn: (spec: { index: number }) => void): void; on(event: 'done', fn: () => void): void; run(): void }

/** Artillery's phaser (the runner's arrival source), from the installed package. */
async function artilleryPhaser(): Promise<(specs: unknown[]) => Phaser> {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('artillery/package.json'));
  return ((await import(pathToFileURL(join(dir, 'dist', 'lib', 'core', 'phases.js')).href)) as { default: (specs: unknown[]) => Phaser }).default;
}

describe('steady-rate phases on real Artillery', () => {
  it('the plans cover every kind of phase', () => {
    const all = new Set(LOADS.flatMap((l) => [...kinds(phasesFor(l))]));
    expect([...all].sort()).toEqual(['count', 'lone-rate', 'pause', 'steady', 'step']);
  });

  it('Artillery\'s phaser emits exactly phaseArrivals() per phase', async () => {
    const createPhaser = await artilleryPhaser();
    const runs = LOADS.map(async (load) => {
      const phases = phasesFor(load);
      const counts = phases.map(() => 0);
      const phaser = createPhaser(phases.map((p) => ({ ...p })));
      phaser.on('arrival', (spec) => { counts[spec.index]! += 1; });
      await new Promise<void>((resolve) => { phaser.on('done', resolve); phaser.run(); });
      // The runner looks for the end a second after 'done' at the earliest: count until then.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { workload: load.workload, counts, expected: phases.map(phaseArrivals) };
    });
    for (const r of await Promise.all(runs)) {
      expect(r.counts, r.workload).toEqual(r.expected);
      expect(r.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
  }, 60_000);

  it('the launcher (Artillery\'s runner, as the pipeline runs it) starts plannedArrivals VUs', async () => {
    await buildArtilleryProcessor();
    const processor = join(work, 'count.cjs');
    writeFileSync(processor, "'use strict';\nmodule.exports = { arrive(context, events, done) { done(); } };\n");
    const load = LOADS[0]!;
    const phases = phasesFor(load);
    const script = join(work, 'count.artillery.json');
    writeFileSync(script, JSON.stringify({ config: { target: 'http://127.0.0.1:9', processor, phases }, scenarios: [{ name: 'count', flow: [{ function: 'arrive' }] }] }));
    const r = await exec(process.execPath, [launcherFile, script], { check: false, env: { ...process.env, ...ENGINE_QUIET_ENV } });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(work, 'count.report.json'), 'utf8')) as { counters: Record<string, number> };
    expect(report.counters['vusers.created']).toBe(plannedArrivals(phases));
    expect(report.counters['vusers.completed']).toBe(plannedArrivals(phases));
  }, 90_000);
});
