// Starts the reference target server (platform/server/main.ts) as a child process we own.
// Output goes to a log file, so the server outlives `moshpit stack up` without a broken pipe.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, stateDir } from './paths.js';
import { isAlive, own, sleep, type OwnedProcess } from './processes.js';

/**
 * The orchestrator's switch for the target's JSON-lines request log (platform/API.md,
 * "Configuration"): off by default, because one JSON line per request costs the target CPU
 * under load; `on` for runs and tests that read it (analyze-logs, the report's request-log part).
 */
export const REQUEST_LOG_ENV = 'MOSHPIT_REQUEST_LOG';

/** on|off (also 1|0, true|false); unset or empty is off. Anything else is an error. */
export function requestLogSetting(env: Record<string, string | undefined> = process.env): boolean {
  const raw = (env[REQUEST_LOG_ENV] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'off' || raw === '0' || raw === 'false') return false;
  if (raw === 'on' || raw === '1' || raw === 'true') return true;
  throw new Error(`${REQUEST_LOG_ENV} must be on or off, got ${JSON.stringify(env[REQUEST_LOG_ENV])}`);
}

export interface TargetOptions {
  databaseUrl: string;
  /** Write the JSON-lines request log (MOSHPIT_TARGET_LOG); default off. */
  requestLog?: boolean;
  defects?: string[];
  slowMs?: number;
  /** Slow windows file the server watches (platform/server/slow-windows.ts). */
  slowWindowsFile?: string;
  port?: number;
  /** The server exits when this PID is gone (on-demand stacks die with their orchestrator). */
  parentPid?: number;
  apiKey?: string;
  webhookSecret?: string;
}

export interface StartedTarget {
  url: string;
  apiKey: string;
  webhookSecret: string;
  /** null: started without a request log. */
  logFile: string | null;
  outFile: string;
  process: OwnedProcess;
}

export function newApiKey(): string {
  return `mp_test_${randomBytes(18).toString('hex')}`;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** The target's pool saturation log (platform/server/pool-stats.ts), read by the run's bottleneck analysis. */
export function targetPoolLogFile(): string {
  return join(stateDir, 'logs', 'target-pool.jsonl');
}

export async function startTargetProcess(opts: TargetOptions, timeoutMs = 30_000): Promise<StartedTarget> {
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outFile = join(logDir, `target-${stamp}.out`);
  const logFile = opts.requestLog ? join(logDir, 'target-requests.jsonl') : null;
  const apiKey = opts.apiKey ?? newApiKey();
  const webhookSecret = opts.webhookSecret ?? newWebhookSecret();
  const out = openSync(outFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'platform', 'server', 'main.ts')], {
    cwd: projectRoot,
    detached: true, // own process group: a Ctrl-C in the terminal is handled by us, not delivered twice
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      MOSHPIT_TARGET_HOST: '127.0.0.1',
      MOSHPIT_TARGET_PORT: String(opts.port ?? 0),
      MOSHPIT_API_KEY: apiKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      MOSHPIT_DEFECTS: (opts.defects ?? []).join(','),
      MOSHPIT_SLOW_MS: String(opts.slowMs ?? 0),
      ...(opts.slowWindowsFile ? { MOSHPIT_SLOW_WINDOWS_FILE: opts.slowWindowsFile } : {}),
      MOSHPIT_TARGET_LOG: logFile ?? '',
      MOSHPIT_POOL_LOG: targetPoolLogFile(),
      ...(opts.parentPid ? { MOSHPIT_PARENT_PID: String(opts.parentPid) } : {}),
    },
  });
  closeSync(out);
  child.unref();
  const proc = own(child.pid!, 'target');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = readFileSync(outFile, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const msg = JSON.parse(line) as { event?: string; url?: string };
        if (msg.event === 'listening' && msg.url) return { url: msg.url, apiKey, webhookSecret, logFile, outFile, process: proc };
      } catch { /* partial line */ }
    }
    if (!isAlive(proc)) throw new Error(`target server exited during start-up:\n${text.trim().split('\n').slice(-20).join('\n')}`);
    await sleep(100);
  }
  throw new Error(`target server did not report listening within ${timeoutMs} ms (see ${outFile})`);
}
