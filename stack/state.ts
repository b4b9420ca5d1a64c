// The stack's state file (.moshpit/stack.json): what `up` started, so `down` stops exactly
// that, by PID, even after a crash. Also where other commands find the database and target.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './paths.js';
import type { OwnedProcess } from './processes.js';

export interface PostgresState {
  /** false when DATABASE_URL pointed at a database we do not manage */
  managed: boolean;
  url: string;
  dataDir?: string;
  process?: OwnedProcess;
}

export interface TargetState {
  url: string;
  kind: 'rest' | 'supabase';
  apiKey: string;
  webhookSecret: string;
  logFile: string;
  defects: string[];
  process: OwnedProcess;
}

export interface StackState {
  startedAt: string;
  postgres: PostgresState;
  target?: TargetState;
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
