// Entry point of the reference target's HTTP server:
//   node --import tsx platform/server/main.ts
// Reads its environment (platform/API.md "Configuration"), and when ready prints exactly one line
// to stdout: {"event":"listening","url":"http://127.0.0.1:PORT","pid":N}.
// Exit codes: 0 after a graceful shutdown, 1 when it cannot start or run, 2 on bad configuration.
import { ConfigError, loadConfig, type TargetConfig } from './config.js';
import { watchParent } from './parent-watch.js';
import { RequestLog } from './request-log.js';
import { startTargetServer, StartupError, type RunningTarget } from './target-server.js';

const EXIT_FAILURE = 1;
const EXIT_BAD_CONFIG = 2;
const PARENT_POLL_MS = 1_000;

function warn(message: string, detail: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level: 'warn', message, ...detail })}\n`);
}

function fail(code: number, message: string): never {
  process.stderr.write(`moshpit target: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let config: TargetConfig;
  let log: RequestLog;
  try {
    config = loadConfig(process.env);
    log = RequestLog.open(config.logFile);
  } catch (err) {
    if (err instanceof ConfigError) fail(EXIT_BAD_CONFIG, err.message);
    fail(EXIT_BAD_CONFIG, `invalid target configuration:\n  - MOSHPIT_TARGET_LOG cannot be opened: ${(err as Error).message}`);
  }

  let target: RunningTarget;
  try {
    target = await startTargetServer(config, log, { warn });
  } catch (err) {
    await log.close();
    if (err instanceof StartupError) fail(EXIT_FAILURE, err.message);
    throw err;
  }

  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    warn('shutting down', { reason });
    target.close()
      .then(() => log.close())
      .then(() => process.exit(0), (err: Error) => { warn('shutdown failed', { error: err.message }); process.exit(EXIT_FAILURE); });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // An orchestrator that crashed cannot stop us; noticing that it is gone is our job.
  if (config.parentPid !== null) {
    const parentPid = config.parentPid;
    watchParent(parentPid, PARENT_POLL_MS, () => shutdown(`parent process ${parentPid} is gone`));
  }

  process.stdout.write(`${JSON.stringify({ event: 'listening', url: target.url, pid: process.pid })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`moshpit target: unexpected startup failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(EXIT_FAILURE);
});
