// Turning procedure results and errors into HTTP answers, per surface: REST wraps failures as
// {"error": {...}}; the Supabase RPC surface answers the procedure's jsonb as is, PostgREST style.
import type { ApiError } from './api-error.js';
import { resultPayload, type ProcedureResult } from './procedure-result.js';
import type { ErrorStyle, Reply, RequestContext } from './routing.js';

export const REPLAYED_HEADER = 'Idempotent-Replayed';

export function errorReply(style: ErrorStyle, err: Pick<ApiError, 'status' | 'code' | 'message'>, headers?: Record<string, string>): Reply {
  const body = style === 'rest'
    ? { error: { code: err.code, message: err.message } }
    : { ok: false, http_status: err.status, code: err.code, message: err.message };
  return headers ? { status: err.status, body, headers } : { status: err.status, body };
}

function noteReplay(ctx: RequestContext, result: ProcedureResult): Record<string, string> | undefined {
  if (result.replayed !== true) return undefined;
  ctx.replayed = true;
  return { [REPLAYED_HEADER]: 'true' };
}

/** REST: success = payload fields; failure = {"error": {...}}; a replay keeps "replayed": true. */
export function restReply(ctx: RequestContext, result: ProcedureResult): Reply {
  noteReplay(ctx, result);
  return restAnswer(result);
}

/** restReply without a request context: the answer alone (the edge functions use it too). */
export function restAnswer(result: ProcedureResult): Reply {
  const headers = result.replayed === true ? { [REPLAYED_HEADER]: 'true' } : undefined;
  if (result.ok) return { status: result.http_status, body: resultPayload(result), ...(headers && { headers }) };
  const body: Record<string, unknown> = {
    error: { code: result.code ?? 'internal_error', message: result.message ?? result.code ?? 'request failed' },
  };
  if (result.replayed === true) body.replayed = true;
  return { status: result.http_status, body, ...(headers && { headers }) };
}

/** A Stripe webhook's answer: {"received": true, ...payload} on success, REST-style failures. */
export function webhookAnswer(result: ProcedureResult): Reply {
  if (!result.ok) return restAnswer(result);
  return { status: result.http_status, body: { received: true, ...resultPayload(result) } };
}

/** Supabase RPC: HTTP status = http_status, body = the result itself. */
export function rpcReply(ctx: RequestContext, result: ProcedureResult): Reply {
  const headers = noteReplay(ctx, result);
  return { status: result.http_status, body: result, ...(headers && { headers }) };
}

/** The code a reply carries, for the request log. */
export function replyCode(reply: Reply): string | null {
  const body = reply.body as Record<string, unknown> | null;
  if (body === null || typeof body !== 'object') return null;
  if (typeof body.code === 'string') return body.code;
  const error = body.error as Record<string, unknown> | undefined;
  return error && typeof error.code === 'string' ? error.code : null;
}
