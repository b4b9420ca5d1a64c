// Requests the chaos flows need beyond lib/targets' one-at-a-time Target: several writes in
// flight at once (a reconnect burst, a webhook delivered twice concurrently, a sync racing an
// online order), forged webhook deliveries, and the offline terminal sync. Same surfaces, URLs,
// headers, tags and answer normalisation as the adapters (lib/targets/rest.ts, supabase.ts).
import type { HttpRequest, HttpResponse } from '../../core/load-port.js';
import { expectedStatuses } from '../targets/internal/expected-statuses.js';
import { fromRest, fromRpc } from '../targets/internal/normalize.js';
import type { CallName, EntryScanBody, OpResult, OrderBody, OrderLine, WebhookBody } from '../targets/index.js';
import type { ChaosContext } from './context.js';
import { tagPhase } from './clock.js';
import type { TargetKind } from '../../core/target-kind.js';

export interface OfflineOrderInput {
  device_order_id: string;
  device_seq: number;
  wallet_id: string;
  items: OrderLine[];
  idempotency_key: string;
  sold_at: string;
}

/** One order's outcome in a sync answer (platform/API.md, "Offline terminal sync"). */
export interface OfflineOrderResult {
  ok: boolean;
  http_status: number;
  code?: string;
  status?: 'completed' | 'offline_shortfall';
  duplicate?: boolean;
  device_order_id: string;
  device_seq: number;
  idempotency_key: string;
  wallet_id: string;
  order_id?: string;
  total_cents?: number;
  debited_cents?: number;
  shortfall_cents?: number;
  balance_cents?: number;
}

export interface OfflineSyncBody {
  terminal_id: string;
  orders: number;
  applied: number;
  duplicates: number;
  rejected: number;
  shortfall_orders: number;
  shortfall_cents: number;
  results: OfflineOrderResult[];
}


/** A request ready for the port (alone or in a batch), and how to read its answer. */
export interface PreparedCall<B = Record<string, unknown>> {
  op: CallName;
  request: HttpRequest;
  read(res: HttpResponse): OpResult<B>;
}

/** Builds prepared calls; pure and per process (no per-VU state). */
export class ChaosCalls {
  constructor(private readonly kind: TargetKind, private readonly baseUrl: string, private readonly apiKey: string, private readonly timeoutSeconds: number) {}

  entryScan(req: { walletId: string; gatewayId: string; idempotencyKey: string }): PreparedCall<EntryScanBody> {
    if (this.kind === 'rest') return this.restWrite('/v1/scans/entry', '/v1/scans/entry', { wallet_id: req.walletId, gateway_id: req.gatewayId }, 'entry', req.idempotencyKey);
    return this.rpc('sp_process_gate_scan', { p_idempotency_key: req.idempotencyKey, p_wallet_id: req.walletId, p_gateway_id: req.gatewayId, p_direction: 'entry' }, 'entry');
  }

  order(req: { walletId: string; terminalId: string; items: OrderLine[]; idempotencyKey: string }): PreparedCall<OrderBody> {
    if (this.kind === 'rest') return this.restWrite('/v1/orders', '/v1/orders', { wallet_id: req.walletId, terminal_id: req.terminalId, items: req.items }, 'order', req.idempotencyKey);
    return this.rpc('sp_process_bar_order', { p_idempotency_key: req.idempotencyKey, p_wallet_id: req.walletId, p_terminal_id: req.terminalId, p_items: req.items }, 'order');
  }

  /** REST POST /v1/terminals/{id}/offline-orders, Supabase rpc/sp_sync_offline_orders. */
  offlineSync(req: { terminalId: string; orders: OfflineOrderInput[]; idempotencyKey: string }): PreparedCall<OfflineSyncBody> {
    if (this.kind === 'rest') {
      return this.restWrite(`/v1/terminals/${encodeURIComponent(req.terminalId)}/offline-orders`, '/v1/terminals/{id}/offline-orders', { orders: req.orders }, 'order', req.idempotencyKey, 'offline_sync');
    }
    return this.rpc('sp_sync_offline_orders', { p_idempotency_key: req.idempotencyKey, p_terminal_id: req.terminalId, p_orders: req.orders }, 'order', 'offline_sync');
  }

  /** A Stripe delivery; `forged` ones are expected to be refused with 400. */
  webhook(payload: string, signatureHeader: string, forged = false): PreparedCall<WebhookBody> {
    const path = this.kind === 'rest' ? '/v1/webhooks/stripe' : '/functions/v1/stripe-webhook';
    const request: HttpRequest = {
      method: 'POST',
      url: `${this.baseUrl}${path}`,
      body: payload,
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signatureHeader },
      timeoutSeconds: this.timeoutSeconds,
      tags: { op: 'funding_webhook', name: `POST ${path}`, ...(forged ? { forged: 'true' } : {}) },
      expected: forged ? 'refusal' : 'success',
    };
    const read = this.kind === 'rest' ? (res: HttpResponse) => fromRest<WebhookBody>('funding_webhook', res) : (res: HttpResponse) => fromRpc<WebhookBody>('funding_webhook', res);
    return { op: 'funding_webhook', request, read };
  }

  private restWrite<B>(path: string, route: string, body: object, op: CallName, key: string, opTag: string = op): PreparedCall<B> {
    const request: HttpRequest = {
      method: 'POST',
      url: `${this.baseUrl}${path}`,
      body: JSON.stringify(body),
      headers: { Authorization: `Bearer ${this.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      timeoutSeconds: this.timeoutSeconds,
      tags: { op: opTag, name: `POST ${route}` },
      expected: expectedStatuses(op),
    };
    return { op, request, read: (res) => fromRest<B>(op, res) };
  }

  private rpc<B>(fn: string, args: object, op: CallName, opTag: string = op): PreparedCall<B> {
    const request: HttpRequest = {
      method: 'POST',
      url: `${this.baseUrl}/rest/v1/rpc/${fn}`,
      body: JSON.stringify(args),
      headers: { 'Content-Type': 'application/json', apikey: this.apiKey, Authorization: `Bearer ${this.apiKey}` },
      timeoutSeconds: this.timeoutSeconds,
      tags: { op: opTag, name: `POST /rest/v1/rpc/${fn}` },
      expected: expectedStatuses(op),
    };
    return { op, request, read: (res) => fromRpc<B>(op, res) };
  }
}

/** Sends one prepared call, tagged with the chaos phase of this moment. */
export async function run<B>(ctx: ChaosContext, call: PreparedCall<B>): Promise<OpResult<B>> {
  tagPhase(ctx.port, ctx.chaos.env, ctx.chaos.clock);
  return call.read(await ctx.port.request(call.request));
}

/** Sends calls concurrently; answers in the same order. */
export async function batch<B>(ctx: ChaosContext, calls: ReadonlyArray<PreparedCall<B>>): Promise<Array<OpResult<B>>> {
  if (calls.length === 0) return [];
  tagPhase(ctx.port, ctx.chaos.env, ctx.chaos.clock);
  const responses = await ctx.port.batch(calls.map((c) => c.request));
  return calls.map((c, i) => c.read(responses[i]!));
}
