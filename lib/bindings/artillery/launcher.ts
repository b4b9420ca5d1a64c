// Runs one Artillery test script with Artillery's own runner (its phases, arrivals, VUs,
// processor functions and metrics), in this process, without the CLI around it: the CLI's
// start-up (oclif, cloud-platform SDKs, a worker thread) costs ~5 s of CPU per process, this
// ~1.4 s, which matters with one process per workload on 2 cores. Writes Artillery's own
// totals to <script>.report.json. Usage: node launcher.mjs <script.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ArtilleryCore {
  updateGlobalObject(): Promise<void>;
  runner: {
    runner(script: unknown, payload: unknown, options: { scriptPath: string }): Promise<ArtilleryRunner>;
    runnerFuncs: { loadProcessor(script: unknown, options: { scriptPath: string }): Promise<unknown> };
  };
  ssms: { SSMS: { serializeMetrics(m: unknown): string } };
}
interface ArtilleryRunner {
  on(event: 'done', listener: (totals: unknown) => void): void;
  run(contextVars: Record<string, unknown>): void;
  stop(): Promise<void>;
}

/** Artillery's core runner, from the installed package (its `exports` only name the CLI entry). */
async function loadCore(): Promise<ArtilleryCore> {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('artillery/package.json'));
  return (await import(pathToFileURL(join(dir, 'dist', 'lib', 'core', 'index.js')).href)) as ArtilleryCore;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: launcher <artillery-script.json>');
  const scriptPath = resolve(file);
  const core = await loadCore();
  await core.updateGlobalObject();
  const script = await core.runner.runnerFuncs.loadProcessor(JSON.parse(readFileSync(scriptPath, 'utf8')), { scriptPath });
  const runner = await core.runner.runner(script, undefined, { scriptPath });
  runner.on('done', (totals) => {
    try {
      writeFileSync(scriptPath.replace(/\.artillery\.json$/, '') + '.report.json', core.ssms.SSMS.serializeMetrics(totals));
    } finally {
      void runner.stop().finally(() => process.exit(0));
    }
  });
  runner.run({});
}

main().catch((err: unknown) => {
  process.stderr.write(`moshpit artillery launcher: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
