// The Supabase surface through the official client, as a Supabase team's own app calls it:
// `rpc()` for the stored procedures, `functions.invoke()` for the Stripe webhook. The calls
// and their arguments are the plain-HTTP adapter's (lib/targets/supabase.ts); only the
// transport differs. The client's fetch goes through the port, so every call is timed, tagged
// and counted like any other, and the answer is read by the same normalisation (fromRpc).
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { HttpResponse, LoadPort } from '../../../core/load-port.js';
import { fromRpc } from '../../targets/internal/normalize.js';
import { httpRequest } from '../../targets/internal/send.js';
import { SupabaseTarget } from '../../targets/supabase.js';
import type { CallName, OpResult, WebhookBody, WebhookDelivery } from '../../targets/target.js';

interface PendingCall { op: CallName; route: string; response: HttpResponse | null }

export class SupabaseJsTarget extends SupabaseTarget {
  private readonly client;
  /** The call in flight: calls within one iteration are sequential. */
  private call: PendingCall | null = null;

  constructor(port: LoadPort, baseUrl: string, apiKey: string, timeoutSeconds: number) {
    super(port, baseUrl, apiKey, timeoutSeconds);
    this.client = createClient(baseUrl, apiKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      // Node 20 has no global WebSocket; realtime is never opened here, but the client builds it.
      realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
      global: { fetch: (input, init) => this.fetch(input, init) },
    });
  }

  private async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const call = this.call;
    if (!call) throw new Error('supabase-js fetch outside a moshpit call');
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => { headers[k] = v; });
    const body = typeof init?.body === 'string' ? init.body : init?.body == null ? null : String(init.body);
    const method = (init?.method ?? 'GET').toUpperCase() === 'GET' ? 'GET' : 'POST';
    const res = await this.port.request(httpRequest(method, url, body, { op: call.op, route: call.route, headers, timeoutSeconds: this.timeoutSeconds }));
    call.response = res;
    // No answer: as fetch would, fail; supabase-js reports it as an error we read from `res`.
    if (res.status === 0) throw new TypeError(`fetch failed: ${res.error ?? 'network_error'}`);
    const out = new Headers();
    const replayed = res.header('Idempotent-Replayed');
    if (replayed) out.set('Idempotent-Replayed', replayed);
    out.set('Content-Type', res.header('Content-Type') ?? 'application/json');
    return new Response(res.body, { status: res.status, headers: out });
  }

  private async around<B>(op: CallName, route: string, run: () => PromiseLike<unknown>): Promise<OpResult<B>> {
    const call: PendingCall = { op, route, response: null };
    this.call = call;
    try {
      await run();
    } finally {
      this.call = null;
    }
    const res = call.response ?? { status: 0, body: null, header: () => null, durationMs: 0, error: 'network_error' as const };
    return fromRpc<B>(op, res);
  }

  protected override rpc<B>(fn: string, args: Record<string, unknown>, op: CallName): Promise<OpResult<B>> {
    return this.around<B>(op, `POST /rest/v1/rpc/${fn}`, () => this.client.rpc(fn, args));
  }

  override deliverWebhook(req: WebhookDelivery): Promise<OpResult<WebhookBody>> {
    // The raw payload is what Stripe signed: it must reach the function byte for byte.
    return this.around<WebhookBody>('funding_webhook', 'POST /functions/v1/stripe-webhook', () =>
      this.client.functions.invoke('stripe-webhook', { body: req.payload, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': req.signatureHeader } }));
  }
}
