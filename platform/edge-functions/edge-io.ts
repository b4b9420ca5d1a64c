// What the edge functions share: web-standard Request/Response only (Deno on Supabase, Node in
// the tests), the body limit and JSON rules of the Node server, its error answers, and the
// database call, injected as an RPC function (PostgREST on Supabase).
import { ApiError } from '../server/api-error.js';
import { asProcedureResult, type ProcedureResult } from '../server/procedure-result.js';
import { errorReply } from '../server/replies.js';
import { MAX_BODY_BYTES } from '../server/request-body.js';
import type { Reply } from '../server/routing.js';

/** Calls one stored procedure with named arguments and returns its jsonb result. */
export type Rpc = (fn: string, args: Record<string, unknown>) => Promise<unknown>;

/** The database could not be reached: the client cannot know whether the write happened. */
export class RpcUnavailable extends Error {}

/** PostgREST's RPC endpoint (a Supabase project's /rest/v1/rpc), with the service role key. */
export function postgrestRpc(baseUrl: string, serviceKey: string, fetchFn: typeof fetch = fetch): Rpc {
  return async (fn, args) => {
    let res: Response;
    try {
      res = await fetchFn(`${baseUrl.replace(/\/$/, '')}/rest/v1/rpc/${fn}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', apikey: serviceKey, Authorization: `Bearer ${serviceKey}` },
        body: JSON.stringify(args),
      });
    } catch (err) {
      throw new RpcUnavailable(`rpc ${fn}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let body: unknown = null;
    try { body = JSON.parse(text); } catch { /* not JSON: reported below */ }
    // PostgREST answers 200 with the result; a surface that maps http_status (the embedded
    // server) answers the same result with that status. Anything else is an error of the call.
    if (body !== null && typeof body === 'object' && 'http_status' in body) return body;
    if (res.status >= 500) throw new RpcUnavailable(`rpc ${fn}: HTTP ${res.status}`);
    throw new Error(`rpc ${fn}: HTTP ${res.status}: ${text.slice(0, 200)}`);
  };
}

export async function callProcedure(rpc: Rpc, fn: string, args: Record<string, unknown>): Promise<ProcedureResult> {
  return asProcedureResult(await rpc(fn, args), fn);
}

/** The raw body as text, refused over the Node server's limit (413 payload_too_large). */
export async function readBodyText(req: Request): Promise<string> {
  const declared = Number(req.headers.get('content-length'));
  const tooLarge = () => new ApiError('payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
  return new TextDecoder().decode(bytes);
}

export function toResponse(reply: Reply): Response {
  return new Response(JSON.stringify(reply.body), {
    status: reply.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers },
  });
}

/** Runs a handler; client errors and failures are answered like the Node server answers them. */
export async function answer(handle: () => Promise<Reply>, onInternalError: (err: unknown) => void = () => {}): Promise<Response> {
  try {
    return toResponse(await handle());
  } catch (err) {
    if (err instanceof ApiError) return toResponse(errorReply('rest', err, err.code === 'method_not_allowed' ? { Allow: 'POST' } : undefined));
    onInternalError(err);
    if (err instanceof RpcUnavailable) {
      return toResponse(errorReply('rest', new ApiError('unavailable', 'database unavailable; the request may or may not have been applied')));
    }
    return toResponse(errorReply('rest', new ApiError('internal_error', 'internal error; the request may or may not have been applied')));
  }
}

/** Only POST reaches a function's logic, as on the Node server's routes. */
export function postOnly(req: Request): void {
  if (req.method !== 'POST') throw new ApiError('method_not_allowed', `${req.method} is not allowed here; allowed: POST`);
}
