// One request, start to finish: route, optional slowdown, auth, handler, error mapping, JSON
// answer, one request-log line. Nothing that is not an ApiError reaches the client as detail.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from './api-error.js';
import type { ApiKeyCheck } from './api-key.js';
import { isDatabaseUnavailable } from './database.js';
import { errorReply, replyCode } from './replies.js';
import type { RequestLog, Surface } from './request-log.js';
import type { ErrorStyle, Reply, RequestContext, Router } from './routing.js';
import { UNKNOWN_RPC_TEMPLATE } from './supabase-routes.js';

export interface HandlerDeps {
  router: Router;
  apiKey: ApiKeyCheck;
  log: RequestLog;
  slowMs: number;
  /** Extra delay for a request arriving now (slow windows); on the same routes as slowMs. */
  slowWindowMs?: (nowMs: number) => number;
  /** Unexpected failures: full detail goes here (stderr), never to the client. */
  reportError(err: unknown, reqId: string, route: string | null): void;
  isShuttingDown(): boolean;
}

// A caller's own request id is kept when it is harmless to echo and to log.
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

interface Placement { route: string | null; surface: Surface; style: ErrorStyle }

/** Where an unmatched path would have belonged, for its error shape and its log line. */
function placeUnmatched(path: string, template: string | null): Placement {
  const supabase = path.startsWith('/rest/') || path.startsWith('/functions/');
  const style: ErrorStyle = path.startsWith('/rest/') ? 'rpc' : 'rest';
  const route = template ?? (path.startsWith('/rest/v1/rpc/') ? UNKNOWN_RPC_TEMPLATE : null);
  return { route, surface: supabase ? 'supabase' : 'rest', style };
}

export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const idPrefix = process.pid.toString(36);
  let sequence = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const incomingId = req.headers['x-request-id'];
    const reqId = typeof incomingId === 'string' && CLIENT_REQUEST_ID.test(incomingId)
      ? incomingId
      : `${idPrefix}-${(++sequence).toString(36)}`;
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const ctx: RequestContext = {
      req,
      params: {},
      query: new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1)),
      op: null,
      walletId: null,
      replayed: false,
      defect: null,
    };
    const method = req.method ?? 'GET';
    const match = deps.router.match(method, path);
    const placement: Placement = match.kind === 'found'
      ? { route: match.route.template, surface: match.route.surface, style: match.route.errorStyle }
      : placeUnmatched(path, match.kind === 'method_not_allowed' ? match.template : null);
    let reply: Reply;
    let internalError: string | undefined;
    try {
      if (match.kind === 'found') {
        const route = match.route;
        ctx.params = match.params;
        ctx.op = route.op;
        const slow = route.slow ? deps.slowMs + (deps.slowWindowMs?.(Date.now()) ?? 0) : 0;
        if (slow > 0) await sleep(slow);
        if (route.auth !== 'none' && !deps.apiKey.authorizes(req.headers, route.auth)) {
          throw new ApiError('unauthorized', 'missing or invalid API key');
        }
        reply = await route.handle(ctx);
      } else {
        if (deps.slowMs > 0) await sleep(deps.slowMs);
        reply = match.kind === 'not_found'
          ? errorReply(placement.style, new ApiError('not_found', placement.route === UNKNOWN_RPC_TEMPLATE
            ? 'no such function is exposed; see platform/API.md for the exposed ones'
            : 'no such route'))
          : errorReply(placement.style, new ApiError('method_not_allowed', `${method} is not allowed here; allowed: ${match.allow.join(', ')}`), { Allow: match.allow.join(', ') });
      }
    } catch (err) {
      if (err instanceof ApiError) {
        reply = errorReply(placement.style, err);
      } else if (isDatabaseUnavailable(err)) {
        internalError = (err as Error).message;
        reply = errorReply(placement.style, new ApiError('unavailable', 'database unavailable; the request may or may not have been applied'));
      } else {
        internalError = err instanceof Error ? err.message : String(err);
        deps.reportError(err, reqId, placement.route);
        reply = errorReply(placement.style, new ApiError('internal_error', 'internal error; the request may or may not have been applied'));
      }
    }

    send(res, reply, reqId, deps.isShuttingDown());
    if (!deps.log.enabled) return; // the log is opt-in: under load, no entry is built
    deps.log.write({
      ts: new Date().toISOString(),
      req_id: reqId,
      method,
      route: placement.route,
      status: reply.status,
      code: replyCode(reply),
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      op: ctx.op,
      surface: placement.surface,
      replayed: ctx.replayed,
      wallet_id: ctx.walletId,
      ...(ctx.defect && { defect: ctx.defect }),
      ...(internalError !== undefined && { error: internalError }),
    });
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only reachable if sending itself failed; the connection is beyond saving.
      deps.reportError(err, 'unknown', null);
      res.destroy();
    });
  };
}

function send(res: ServerResponse, reply: Reply, reqId: string, closing: boolean): void {
  const json = JSON.stringify(reply.body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    'X-Request-Id': reqId,
    ...reply.headers,
  };
  // An oversized body was not read to the end; a draining server wants no further requests.
  if (closing || reply.status === 413) headers.Connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(json);
}
