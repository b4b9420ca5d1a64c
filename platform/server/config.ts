// The target server's environment contract (platform/API.md, "Configuration"). Every problem is
// collected and reported at once, so a misconfigured stack fails with one clear message.
import { isLoopbackHost } from '../../core/loopback.js';
import { parseDefects, UnknownDefectError, type DefectMode } from './defects.js';

export interface TargetConfig {
  databaseUrl: string;
  host: string;
  port: number;
  apiKey: string;
  webhookSecret: string;
  defects: DefectMode[];
  slowMs: number;
  /** Slow windows file (platform/server/slow-windows.ts); null = none. */
  slowWindowsFile?: string | null;
  /** JSON-lines request log; null = no request log. */
  logFile: string | null;
  dbPoolSize: number;
  /** Exit when this process is gone (orchestrator crash). */
  parentPid: number | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid target configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DB_POOL = 20;
const MAX_SLOW_MS = 60_000;
const MAX_DB_POOL = 500;

type Env = Record<string, string | undefined>;

function integerIn(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return Number(raw);
}

export function loadConfig(env: Env = process.env): TargetConfig {
  const problems: string[] = [];

  const databaseUrl = env.DATABASE_URL?.trim() ?? '';
  if (databaseUrl === '') problems.push('DATABASE_URL is required (postgres://user@host:port/db)');
  else if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');

  const rawHost = env.MOSHPIT_TARGET_HOST?.trim() || DEFAULT_HOST;
  if (!isLoopbackHost(rawHost)) {
    problems.push(`MOSHPIT_TARGET_HOST must be a loopback address (127.0.0.1, ::1 or localhost), got ${JSON.stringify(rawHost)}`);
  }
  // Loopback only: this server is a test target and must never be reachable from the network.
  const host = rawHost === 'localhost' ? DEFAULT_HOST : rawHost.replace(/^\[|\]$/g, '');

  const port = integerIn(env, 'MOSHPIT_TARGET_PORT', 0, 0, 65535, problems);

  const apiKey = env.MOSHPIT_API_KEY ?? '';
  if (apiKey === '') problems.push('MOSHPIT_API_KEY is required');
  else if (/\s/.test(apiKey)) problems.push('MOSHPIT_API_KEY must not contain whitespace');

  const webhookSecret = env.STRIPE_WEBHOOK_SECRET ?? '';
  if (webhookSecret === '') problems.push('STRIPE_WEBHOOK_SECRET is required (whsec_...)');
  else if (!webhookSecret.startsWith('whsec_')) problems.push('STRIPE_WEBHOOK_SECRET must start with whsec_');

  let defects: DefectMode[] = [];
  try {
    defects = parseDefects(env.MOSHPIT_DEFECTS);
  } catch (err) {
    if (!(err instanceof UnknownDefectError)) throw err;
    problems.push(`MOSHPIT_DEFECTS: ${err.message}`);
  }

  const slowMs = integerIn(env, 'MOSHPIT_SLOW_MS', 0, 0, MAX_SLOW_MS, problems);
  const dbPoolSize = integerIn(env, 'MOSHPIT_DB_POOL', DEFAULT_DB_POOL, 1, MAX_DB_POOL, problems);

  const logFile = env.MOSHPIT_TARGET_LOG?.trim() || null;
  const slowWindowsFile = env.MOSHPIT_SLOW_WINDOWS_FILE?.trim() || null;

  let parentPid: number | null = null;
  const rawParent = env.MOSHPIT_PARENT_PID?.trim();
  if (rawParent) {
    if (!/^\d+$/.test(rawParent) || Number(rawParent) < 1) problems.push(`MOSHPIT_PARENT_PID must be a process id, got ${JSON.stringify(rawParent)}`);
    else parentPid = Number(rawParent);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { databaseUrl, host, port, apiKey, webhookSecret, defects, slowMs, slowWindowsFile, logFile, dbPoolSize, parentPid };
}
