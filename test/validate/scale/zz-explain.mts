// Temporary: EXPLAIN (ANALYZE, BUFFERS) of one checker's statements on the kept database.
import pg from 'pg';
import { CHECKERS } from '../../../validate/checkers/index.js';
import { makeScope } from '../../../validate/scope.js';
import { DEFAULT_BOUNDS } from '../../../validate/types.js';
const [url, name, workMem] = process.argv.slice(2);
const c = new pg.Client({ connectionString: url });
await c.connect();
await c.query(`SET work_mem = '${workMem}'`);
const checker = CHECKERS.find((x) => x.name === name)!;
const db = {
  async query(sql: string, params?: unknown[]) {
    const t = performance.now();
    const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS, SETTINGS) ${sql}`, params);
    const plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
    console.log(plan.split('\n').filter((l) => /Hash|Sort|Agg|Join|Scan|temp|Execution|Batches|Memory|Disk|Window|Gather|Workers/.test(l)).join('\n'));
    console.log(`--- ${(performance.now() - t).toFixed(0)} ms\n`);
    return { rows: [] as any[] };
  },
};
await checker.run({ db: db as any, scope: makeScope('k6-test-', 'bench'), bounds: DEFAULT_BOUNDS, witnessLimit: 5, asOf: new Date(), summary: null });
await c.end();
