// TEMPORARY (helper's debugging; removed before handing back)
import { mkdirSync, writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { runScenarioCli } from '../support/scenario-run.js';
const db = await useTestDatabase();
it('scratch', async () => {
  const workDir = '/tmp/mp-scratch';
  mkdirSync(workDir, { recursive: true });
  const run = await runScenarioCli({
    databaseUrl: db.url, scenario: 'chaos', workDir,
    args: (process.env.SCRATCH_ARGS ?? '').split(' ').filter(Boolean),
    env: { MOSHPIT_DURATION_SCALE: process.env.SCRATCH_SCALE ?? '0.6' },
  });
  writeFileSync(`${workDir}/out.json`, JSON.stringify({ code: run.code, runDir: run.runDir, stdout: run.stdout, stderr: run.stderr }, null, 1));
}, 600_000);
