import { runValidation } from '../../../validate/runner.js';
const [url, resultsDir, workMems, checkers, concurrency] = process.argv.slice(2);
for (const workMem of workMems!.split(',')) {
  const r = await runValidation({ databaseUrl: url!, runId: 'bench', resultsDir, writeFiles: false, workMem, concurrency: Number(concurrency ?? 1), checkers: checkers ? checkers.split(',') : undefined });
  console.log(`work_mem ${workMem} total ${(r.durationMs / 1000).toFixed(1)} s ok=${r.ok}: ` + r.results.map((x) => `${x.name}=${(x.durationMs / 1000).toFixed(1)}${x.ok ? '' : '!'}`).join(' '));
}
