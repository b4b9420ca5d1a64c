// Assembles the target: pool, procedures, both surfaces, HTTP server. start() resolves once the
// database answered and the socket is listening; close() stops accepting, drains, closes the pool.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyCheck } from './api-key.js';
import type { TargetConfig } from './config.js';
import { createPool } from './database.js';
import { startPoolStatsLog } from './pool-stats.js';
import { Procedures } from './procedures.js';
import { offlineSyncRoutes } from './offline-sync-routes.js';
import { createRequestHandler } from './request-handler.js';
import { RequestLog } from './request-log.js';
import { restRoutes } from './rest-routes.js';
import { Router } from './routing.js';
import type { RouteDeps } from './shared-handlers.js';
import { ServerDefects } from './server-defects.js';
import { SlowWindows } from './slow-windows.js';
import { StripeWebhookReceiver } from './stripe-webhook.js';
import { supabaseRoutes } from './supabase-routes.js';
import { redactUrl } from '../../core/redact.js';

export interface RunningTarget {
  url: string;
  close(): Promise<void>;
}

export interface TargetHooks {
  /** One line for operators (stderr). */
  warn(message: string, detail?: Record<string, unknown>): void;
}

const DRAIN_TIMEOUT_MS = 10_000;
// Longer than load generators keep idle connections, so the client always closes first and
// never races a request against the server's close.
const KEEP_ALIVE_TIMEOUT_MS = 120_000;

export class StartupError extends Error {}

export async function startTargetServer(config: TargetConfig, log: RequestLog, hooks: TargetHooks): Promise<RunningTarget> {
  const pool = createPool({
    databaseUrl: config.databaseUrl,
    size: config.dbPoolSize,
    defects: config.defects,
    onIdleError: (err) => hooks.warn('idle database connection failed', { error: err.message }),
  });
  const procedures = new Procedures(pool, new ServerDefects(config.defects));
  const poolStats = startPoolStatsLog(pool, config.dbPoolSize, process.env);

  try {
    await procedures.ping();
  } catch (err) {
    await poolStats.close();
    await pool.end().catch(() => undefined);
    throw new StartupError(`cannot reach the database at ${redactUrl(config.databaseUrl)}: ${(err as Error).message}`);
  }
  const missing = await procedures.missingProcedures();
  if (missing.length > 0) {
    hooks.warn('database is not fully migrated; affected routes will answer 500', { missing_functions: missing });
  }

  const deps: RouteDeps = {
    procedures,
    webhook: new StripeWebhookReceiver(config.webhookSecret, procedures),
    defects: config.defects,
  };
  let shuttingDown = false;
  const slowWindows = SlowWindows.watch(config.slowWindowsFile ?? null, hooks.warn);
  const handler = createRequestHandler({
    router: new Router([...restRoutes(deps), ...supabaseRoutes(deps), ...offlineSyncRoutes(deps)]),
    apiKey: new ApiKeyCheck(config.apiKey),
    log,
    slowMs: config.slowMs,
    slowWindowMs: (now) => slowWindows.delayAt(now),
    reportError: (err, reqId, route) => hooks.warn('internal error', {
      req_id: reqId, route, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined,
    }),
    isShuttingDown: () => shuttingDown,
  });

  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, handler);
  try {
    await listen(server, config.host, config.port);
  } catch (err) {
    await poolStats.close();
    await pool.end().catch(() => undefined);
    throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const drainTimer = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
        await closed;
        clearTimeout(drainTimer);
        await poolStats.close();
        await pool.end().catch(() => undefined);
      })();
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Connection strings may carry a password; error messages must not. */
export { redactUrl };
