// The embedded stack: PostgreSQL (private cluster or DATABASE_URL) + migrations + the
// reference target server. `up` records what it started; `down` stops exactly that.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrate.js';
import { stateDir } from './paths.js';
import { withLock } from './lock.js';
import { clusterInfo, startCluster, stopCluster } from './postgres.js';
import { stopRecordedLoad } from './load-processes.js';
import { isAlive, stopOwned } from './processes.js';
import { installInterruptHandler } from './interrupt.js';
import { progress } from './progress.js';
import { clearStackState, readStackState, writeStackState, type StackState } from './state.js';
import { REQUEST_LOG_ENV, requestLogSetting, startTargetProcess } from './target-process.js';
import { isOrphan, startStackToxiproxy } from '../chaos/stack-proxy.js';
import { redactUrl } from '../core/redact.js';

export interface UpOptions {
  defects?: string[];
  slowMs?: number;
  /** The target watches this slow windows file (scenario --slow-window): never a reused target. */
  slowWindowsFile?: string;
  /** Set for on-demand stacks: the target exits if this process dies. */
  parentPid?: number;
  /** Chaos runs: Toxiproxy between the target and PostgreSQL (the target's DATABASE_URL goes through it). */
  toxiproxy?: boolean;
  /** The target's JSON-lines request log; default: MOSHPIT_REQUEST_LOG (off when unset). */
  requestLog?: boolean;
}

export interface ComponentStatus { name: string; up: boolean; url?: string; pid?: number; detail?: string }

function sameDefects(a: string[] = [], b: string[] = []): boolean {
  return [...a].sort().join(',') === [...b].sort().join(',');
}

/** Brings the stack up (or reuses the parts already running). Returns the state and whether anything new was started. */
export async function stackUp(opts: UpOptions = {}): Promise<{ state: StackState; started: boolean }> {
  return withLock(stateDir, 'stack', async () => {
    const previous = readStackState();
    let started = false;
    const requestLog = opts.requestLog ?? requestLogSetting();

    let postgres = previous?.postgres;
    const pgAlive = postgres && (!postgres.managed || (postgres.process && isAlive(postgres.process)));
    if (!postgres || !pgAlive) {
      if (process.env.DATABASE_URL) {
        postgres = { managed: false, url: process.env.DATABASE_URL };
      } else {
        const cluster = await startCluster();
        postgres = { managed: true, url: cluster.url, dataDir: cluster.dataDir, process: cluster.process };
        started = true;
      }
    } else if (postgres.managed) {
      // Adopted again for its current URL: a state file from before passwords has none.
      const cluster = await startCluster();
      postgres = { managed: true, url: cluster.url, dataDir: cluster.dataDir, process: cluster.process };
    }
    await migrate(postgres.url);

    // Optional chaos component. One left by a killed on-demand run is stopped here.
    let toxiproxy = previous?.toxiproxy;
    if (toxiproxy && (!isAlive(toxiproxy.process) || isOrphan(toxiproxy))) {
      await stopOwned(toxiproxy.process);
      toxiproxy = undefined;
    }
    if (opts.toxiproxy && !toxiproxy) {
      toxiproxy = await startStackToxiproxy(postgres.url, opts.parentPid);
      started = true;
    }
    const targetDatabaseUrl = opts.toxiproxy && toxiproxy ? toxiproxy.proxiedUrl : postgres.url;

    let target = previous?.target;
    if (target && isAlive(target.process)) {
      if (opts.toxiproxy && target.databaseUrl !== targetDatabaseUrl) {
        throw new Error("the stack's target is running without Toxiproxy in front of PostgreSQL; run 'moshpit stack down' first so a chaos run can start its own");
      }
      if (requestLog && !target.logFile) {
        throw new Error(`the stack's target is running without a request log; run 'moshpit stack down' first to start it with one (${REQUEST_LOG_ENV}=on)`);
      }
      if (!sameDefects(target.defects, opts.defects) || (opts.slowMs ?? 0) > 0 || opts.slowWindowsFile) {
        throw new Error(
          `the stack's target is already running with defects [${target.defects.join(',') || 'none'}]; ` +
            `run 'moshpit stack down' first to start it with [${(opts.defects ?? []).join(',') || 'none'}]`,
        );
      }
    } else {
      const t = await startTargetProcess({ databaseUrl: targetDatabaseUrl, defects: opts.defects, slowMs: opts.slowMs, slowWindowsFile: opts.slowWindowsFile, parentPid: opts.parentPid, requestLog });
      target = {
        url: t.url, kind: 'rest', apiKey: t.apiKey, webhookSecret: t.webhookSecret, logFile: t.logFile, defects: opts.defects ?? [], process: t.process,
        databaseUrl: targetDatabaseUrl, slowMs: opts.slowMs ?? 0, ...(opts.slowWindowsFile ? { slowWindowsFile: opts.slowWindowsFile } : {}), ...(opts.parentPid ? { parentPid: opts.parentPid } : {}),
      };
      started = true;
    }

    const state: StackState = { startedAt: previous?.startedAt ?? new Date().toISOString(), postgres, target, ...(toxiproxy ? { toxiproxy } : {}) };
    writeStackState(state);
    return { state, started };
  });
}

/** Stops what `up` started, by recorded PID. Safe to call after a crash or twice. */
export async function stackDown(): Promise<string[]> {
  return withLock(stateDir, 'stack', async () => {
    // Load first: an orphaned load process would otherwise keep loading the target.
    const stopped: string[] = await stopRecordedLoad();
    const state = readStackState();
    if (state?.target && isAlive(state.target.process)) {
      await stopOwned(state.target.process);
      stopped.push(`target (pid ${state.target.process.pid})`);
    }
    if (state?.toxiproxy && isAlive(state.toxiproxy.process)) {
      await stopOwned(state.toxiproxy.process);
      stopped.push(`toxiproxy (pid ${state.toxiproxy.process.pid})`);
    }
    // The cluster is this checkout's even if the state file was lost in a crash.
    const dataDir = state?.postgres.managed ? state.postgres.dataDir : state ? undefined : await ownClusterDataDir();
    if (dataDir && runningPostmaster(dataDir)) {
      const pid = runningPostmaster(dataDir);
      await stopCluster(dataDir);
      stopped.push(`postgres (pid ${pid})`);
    }
    clearStackState();
    return stopped;
  });
}

async function ownClusterDataDir(): Promise<string | undefined> {
  if (process.env.DATABASE_URL) return undefined;
  try {
    return (await clusterInfo()).dataDir;
  } catch {
    return undefined;
  }
}

function runningPostmaster(dataDir: string): number | null {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && isAlive({ pid, startTicks: null }) ? pid : null;
}

export async function stackStatus(): Promise<ComponentStatus[]> {
  const state = readStackState();
  if (!state) return [{ name: 'stack', up: false, detail: "not running (start it with 'moshpit stack up')" }];
  const pg = state.postgres;
  const out: ComponentStatus[] = [
    {
      name: 'postgres',
      up: pg.managed ? !!pg.process && isAlive(pg.process) : true,
      url: redactUrl(pg.url),
      pid: pg.process?.pid,
      detail: pg.managed ? `private cluster, data in ${pg.dataDir}` : 'external (DATABASE_URL), not managed',
    },
  ];
  if (state.target) {
    out.push({
      name: 'target',
      up: isAlive(state.target.process),
      url: state.target.url,
      pid: state.target.process.pid,
      detail: `reference target, defects: ${state.target.defects.join(',') || 'none'}, request log ${state.target.logFile ?? `off (${REQUEST_LOG_ENV}=on records one)`}`,
    });
  }
  if (state.toxiproxy) {
    out.push({
      name: 'toxiproxy',
      up: isAlive(state.toxiproxy.process),
      url: state.toxiproxy.apiUrl,
      pid: state.toxiproxy.process.pid,
      detail: `Toxiproxy ${state.toxiproxy.version}: proxy ${state.toxiproxy.proxy} on ${state.toxiproxy.listen} -> PostgreSQL, the target connects through it; log ${state.toxiproxy.logFile}`,
    });
  }
  return out;
}

// One redaction for every printed URL (passwords and key/token parameters).
export { redactUrl };

/**
 * Runs fn with a stack: reuses a running one as is, or starts one and stops it afterwards,
 * also on Ctrl-C (SIGINT/SIGTERM run the teardown before the process exits).
 */
export async function withStack<T>(opts: UpOptions, fn: (state: StackState) => Promise<T>): Promise<T> {
  const existing = readStackState();
  // Left by an on-demand run that was killed: its target is about to exit (parent watch); never reuse it.
  const owner = existing?.target?.parentPid;
  if (owner && owner !== process.pid && !isAlive({ pid: owner, startTicks: null }) && existing?.target) await stopOwned(existing.target.process);
  const proxied = !opts.toxiproxy || (!!existing?.toxiproxy && isAlive(existing.toxiproxy.process) && existing.target?.databaseUrl === existing.toxiproxy.proxiedUrl);
  const reusable = existing?.target && isAlive(existing.target.process) && sameDefects(existing.target.defects, opts.defects) && !opts.slowMs && !opts.slowWindowsFile && proxied;
  if (reusable) {
    const { state } = await stackUp(opts);
    return fn(state);
  }
  if (existing?.target && isAlive(existing.target.process)) {
    if (!proxied) throw new Error("a stack is already running without Toxiproxy in front of PostgreSQL (needed for DB faults); run 'moshpit stack down' first");
    throw new Error(`a stack is already running with defects [${existing.target.defects.join(',') || 'none'}]; run 'moshpit stack down' first`);
  }
  progress('no target configured: starting the embedded stack for this run');
  const { state } = await stackUp({ ...opts, parentPid: process.pid });
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    const stopped = await stackDown();
    if (stopped.length) progress(`stopped ${stopped.join(', ')}`);
  };
  const uninstall = installInterruptHandler(teardown, progress);
  try {
    return await fn(state);
  } finally {
    uninstall();
    await teardown();
  }
}
