// moshpit db-monitor: a live view of the database under load (monitoring/db-monitor.sql),
// one line per interval, until --count samples or Ctrl-C.
import pg from 'pg';
import { parseOptions } from '../options.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { sampleDatabase, sampleRates, type DatabaseSample } from '../../monitoring/db-monitor.js';
import { LEGEND, headerLine, sampleLine } from '../../monitoring/db-monitor-view.js';
import { describeDatabase, resolveDatabaseUrl } from '../../seed/database-url.js';

const usage = `usage: moshpit db-monitor [options]

Samples connections, lock waits, commits/rollbacks, deadlocks, tuples written, WAL volume,
cache hit ratio and the oldest transaction every interval (queries: monitoring/db-monitor.sql,
also runnable with psql -f). Stops after --count samples or on Ctrl-C.

options:
  --interval SECONDS   seconds between samples (default 5; fractions allowed, minimum 0.2)
  --count N            stop after N samples (default: until Ctrl-C)
  --database-url URL   default: $DATABASE_URL, else the running stack's database`;

const HEADER_EVERY = 20;

function parseInterval(raw: string | undefined): number {
  if (raw === undefined) return 5;
  const s = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(s >= 0.2) || s > 3600) throw new UsageError(`--interval must be seconds from 0.2 to 3600, got '${raw}'`);
  return s;
}

function parseCount(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--count must be a positive whole number, got '${raw}'`);
  return Number(raw);
}

const command: Command = {
  summary: 'Live database view under load: connections, locks, commit/write rates, cache hits',
  usage,
  async run(argv) {
    const { values } = parseOptions({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { interval: { type: 'string' }, count: { type: 'string' }, 'database-url': { type: 'string' } },
    });
    const intervalMs = parseInterval(values.interval) * 1000;
    const count = parseCount(values.count);
    const databaseUrl = await resolveDatabaseUrl(values['database-url']);

    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, application_name: 'moshpit-db-monitor' });
    // A dropped idle connection (database restart, chaos test) must not kill the monitor: the
    // next sample reconnects or reports the failure on its line.
    pool.on('error', () => {});
    let stopped = false;
    let wake: (() => void) | null = null;
    const stop = () => { stopped = true; wake?.(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      process.stdout.write(`monitoring ${describeDatabase(databaseUrl)} every ${intervalMs / 1000}s${count ? `, ${count} samples` : ', Ctrl-C to stop'}\n${LEGEND}\n`);
      let previous: DatabaseSample | null = null;
      for (let n = 0; !stopped && (count === null || n < count); n++) {
        const started = Date.now();
        try {
          const sample = await sampleDatabase(pool);
          if (n % HEADER_EVERY === 0) process.stdout.write(`${headerLine()}\n`);
          process.stdout.write(`${sampleLine(sample, previous ? sampleRates(previous, sample) : null)}\n`);
          previous = sample;
        } catch (err) {
          if (n === 0) throw err; // wrong URL or no access: say so instead of looping
          process.stdout.write(`${new Date().toTimeString().slice(0, 8)} sample failed: ${(err as Error).message}\n`);
          previous = null;
        }
        if (count !== null && n + 1 >= count) break;
        const wait = Math.max(0, intervalMs - (Date.now() - started));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          wake = () => { clearTimeout(timer); resolve(); };
        });
        wake = null;
      }
      return 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await pool.end();
    }
  },
};

export default command;
