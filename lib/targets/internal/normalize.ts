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
  const raw = outcome === 'acked' ? null : typeof body?.code === 'string' ? body.code : `http_${status}`;
  // A real Supabase project's PostgREST refuses malformed arguments itself, before any
  // procedure runs: to the client that is its input refused, as the embedded surface says it.
  const code = declared === null && raw !== null && POSTGREST_INPUT_ERRORS.has(raw) ? 'validation_failed' : raw;
  return { op, outcome, status, code, body: body as B | null, replayed: body?.replayed === true, durationMs: res.durationMs };
}

/** 22P02 not a number of the argument's type (12.5 for bigint), 22003 out of range, PGRST202 no function with these argument names. */
const POSTGREST_INPUT_ERRORS: ReadonlySet<string> = new Set(['22P02', '22003', 'PGRST202']);
