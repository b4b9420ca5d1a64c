// Launches a generated cloud run (artillery-cloud.ts): every (shard, workload) process as its
// own `artillery run-fargate|run-aci --count 1`, all at once, from the run's results folder,
// with Artillery's telemetry off; then reads the shards' streams back from InfluxDB by run id
// into results/<run-id>/streams/, where the verdict reads a local run's.
import { spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { InfluxClient } from '../../../monitoring/influx/influx-client.js';
import { INFLUX_WRITE_ENV, parseInfluxWrite } from '../../../monitoring/influx/engine-output.js';
import { readStreamsFromInflux, writeStreams } from '../../../monitoring/influx/stream-readback.js';
import { isInterrupted } from '../../../stack/interrupt.js';
import { projectRoot } from '../../../stack/paths.js';
import { progress } from '../../../stack/progress.js';
import { artilleryBin, ENGINE_QUIET_ENV } from '../engine/artillery-run.js';
import type { CloudRunFiles } from './artillery-cloud.js';

export interface CloudLaunchOptions {
  resultsDir: string;
  /** The run's load environment (its MOSHPIT_INFLUX_WRITE names where the streams come back from). */
  env: Record<string, string>;
  onSpawn?: (pid: number, source: string) => void;
  onExit?: (pid: number, source: string) => void;
}

/**
 * The Artillery CLI's own environment: ours, without what the dotenv sets (dotenv never
 * overrides a variable already set), telemetry off. `local` runs the bundle here, with this
 * checkout's node_modules standing in for the worker's npm install of the bundle's package.json.
 */
function cliEnv(dotenv: string, local: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const line of dotenv.split('\n')) {
    const key = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
    if (key) delete env[key];
  }
  Object.assign(env, ENGINE_QUIET_ENV);
  if (local) env.NODE_PATH = [join(projectRoot, 'node_modules'), process.env.NODE_PATH].filter(Boolean).join(delimiter);
  return env;
}

/** 0 when every cloud run ended normally and every stream came back whole; 1 otherwise. */
export async function launchCloudRun(files: CloudRunFiles, opts: CloudLaunchOptions): Promise<number> {
  const { plan } = files;
  // Secrets go to a private folder for the launch only, never into results/.
  const secretDir = mkdtempSync(join(tmpdir(), 'moshpit-cloud-'));
  chmodSync(secretDir, 0o700);
  let exits: number[];
  try {
    progress(`cloud: ${plan.workers.length} Artillery ${plan.command} run(s) in ${plan.count} shard(s) (run ${plan.runId})`);
    exits = await Promise.all(plan.workers.map((w) => new Promise<number>((resolve) => {
      const dotenv = join(secretDir, `${w.source}.env`);
      writeFileSync(dotenv, files.launchDotenvs[w.source]!, { mode: 0o600 });
      const args = w.args.map((a) => (a === w.dotenv ? dotenv : a));
      const log = createWriteStream(join(opts.resultsDir, 'cloud', `${w.source}.log`));
      const child = spawn(process.execPath, [artilleryBin(), ...args], {
        cwd: opts.resultsDir, stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv(files.launchDotenvs[w.source]!, plan.platform === 'local'),
      });
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
      if (child.pid) opts.onSpawn?.(child.pid, w.source);
      // Stopping here stops the local CLI; Artillery stops its own workers when its CLI is interrupted.
      const watch = setInterval(() => { if (isInterrupted() && child.exitCode === null) child.kill('SIGINT'); }, 200);
      child.on('error', (err) => log.write(`spawn error: ${err.message}\n`));
      child.on('close', (code, signal) => {
        clearInterval(watch);
        log.end();
        if (child.pid) opts.onExit?.(child.pid, w.source);
        if (code !== 0) progress(`cloud: ${w.source} exited ${signal ?? code} (log: results/${plan.runId}/cloud/${w.source}.log)`);
        resolve(code ?? 1);
      });
    })));
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
  }
  const raw = opts.env[INFLUX_WRITE_ENV];
  if (!raw) throw new Error(`${INFLUX_WRITE_ENV} is not set: nowhere to read the streams back from`);
  const w = parseInfluxWrite(raw);
  const client = new InfluxClient({ url: w.url, database: w.database, username: w.username, password: w.password });
  try {
    const streams = await readStreamsFromInflux(client, plan.runId, w.database);
    writeStreams(opts.resultsDir, streams);
    progress(`cloud: ${streams.length} stream(s) read back from InfluxDB for run ${plan.runId}`);
  } catch (err) {
    // No verdict from partial data: the load step failed; validation still runs on what was sent.
    progress(`cloud: the streams could not be read back: ${(err as Error).message}`);
    return 1;
  }
  return exits.every((e) => e === 0) ? 0 : 1;
}
