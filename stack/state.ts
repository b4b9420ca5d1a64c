// The stack's state file (.moshpit/stack.json): what `up` started, so `down` stops exactly
// that, by PID, even after a crash. Also where other commands find the database and target.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './paths.js';
import type { OwnedProcess } from './processes.js';
import type { TargetKind } from '../core/target-kind.js';

export interface PostgresState {
  /** false when DATABASE_URL pointed at a database we do not manage */
  managed: boolean;
  url: string;
  dataDir?: string;
  process?: OwnedProcess;
}

export interface TargetState {
  url: string;
  kind: TargetKind;
  apiKey: string;
  webhookSecret: string;
  /** The JSON-lines request log; null when the target runs without one (the default). */
  logFile: string | null;
  defects: string[];
  process: OwnedProcess;
  /** What it was started with, so a chaos run can restart it after killing it (target-crash). */
  databaseUrl?: string;
  slowMs?: number;
  slowWindowsFile?: string;
  parentPid?: number;
}

/** Optional component (chaos runs): Toxiproxy between the target and PostgreSQL. */
export interface ToxiproxyState {
  apiUrl: string;
  version: string;
  logFile: string;
  /** the proxy in front of PostgreSQL (chaos/db-proxy.ts) */
  proxy: string;
  /** host:port the target connects to instead of PostgreSQL */
  listen: string;
  /** postgres.url rewritten to go through the proxy: the target's DATABASE_URL */
  proxiedUrl: string;
  process: OwnedProcess;
  /** on-demand stacks: the orchestrator it belongs to (an orphan is stopped by the next `up`) */
  parentPid?: number;
}

export interface StackState {
  startedAt: string;
  postgres: PostgresState;
  target?: TargetState;
  toxiproxy?: ToxiproxyState;
}

const file = () => join(stateDir, 'stack.json');

export function readStackState(): StackState | null {
  if (!existsSync(file())) return null;
  try {
    return JSON.parse(readFileSync(file(), 'utf8')) as StackState;
  } catch {
    return null;
  }
}

export function writeStackState(state: StackState): void {
  mkdirSync(stateDir, { recursive: true });
  const tmp = `${file()}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 }); // holds the API key
  renameSync(tmp, file());
}

export function clearStackState(): void {
  rmSync(file(), { force: true });
}
