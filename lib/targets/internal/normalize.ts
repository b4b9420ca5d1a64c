// Turns a LoadPort response from either surface into an OpResult. Internal to lib/targets
// (and lib/chaos).
import type { HttpResponse } from '../../../core/load-port.js';
import { classifyHttpStatus } from '../../../core/operations.js';
import type { CallName, OpResult } from '../target.js';

type Json = Record<string, unknown>;

function parseBody(res: HttpResponse): Json | null {
  if (typeof res.body !== 'string' || res.body.length === 0) return null;
  try {
    const v: unknown = JSON.parse(res.body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

function transportFailure<B>(op: CallName, res: HttpResponse): OpResult<B> {
  return { op, outcome: 'indeterminate', status: 0, code: res.error ?? 'network_error', body: null, replayed: false, durationMs: res.durationMs };
}

/** REST: status is the HTTP status; failures are {"error": {"code", "message"}}. */
export function fromRest<B>(op: CallName, res: HttpResponse): OpResult<B> {
  if (res.status === 0) return transportFailure(op, res);
  const body = parseBody(res);
  const error = body && typeof body.error === 'object' && body.error !== null ? (body.error as Json) : null;
  const outcome = classifyHttpStatus(res.status);
  return {
    op,
    outcome,
    status: res.status,
    code: outcome === 'acked' ? null : typeof error?.code === 'string' ? error.code : `http_${res.status}`,
    body: body as B | null,
    replayed: body?.replayed === true || res.header('Idempotent-Replayed') === 'true',
    durationMs: res.durationMs,
  };
}

/**
 * Supabase RPC / edge functions: the body is the procedure's result {"ok", "http_status",
 * "code"?, ...payload}. The procedure's http_status wins over the transport status, so a
 * PostgREST that answers 200 for every call still classifies like the REST surface.
 */
export function fromRpc<B>(op: CallName, res: HttpResponse): OpResult<B> {
  if (res.status === 0) return transportFailure(op, res);
  const body = parseBody(res);
  const declared = typeof body?.http_status === 'number' ? body.http_status : null;
  // A 5xx from the gateway itself outranks whatever a half-written body says.
  const status = res.status >= 500 || declared === null ? res.status : declared;
  const outcome = body?.ok === false && status < 400 ? 'rejected' : classifyHttpStatus(status);
  const code = outcome === 'acked' ? null : typeof body?.code === 'string' ? body.code : `http_${status}`;
  return { op, outcome, status, code, body: body as B | null, replayed: body?.replayed === true, durationMs: res.durationMs };
}
