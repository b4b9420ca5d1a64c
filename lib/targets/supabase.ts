// The Supabase surface (platform/API.md, "Supabase surface"): PostgREST RPC calls to the stored
// procedures and the Stripe webhook edge function.
import type { LoadPort } from '../../core/load-port.js';
import { fromRpc } from './internal/normalize.js';
import { send } from './internal/send.js';
import type {
  CallName, EntryScanBody, ExitScanBody, FundingIntentBody, FundingIntentRequest, GateScanRequest, OpResult,
  OrderBody, OrderRequest, RechargeBody, RechargeRequest, Target, WalletView, WebhookBody, WebhookDelivery,
} from './target.js';

export class SupabaseTarget implements Target {
  readonly kind = 'supabase';

  constructor(protected readonly port: LoadPort, protected readonly baseUrl: string, protected readonly apiKey: string, protected readonly timeoutSeconds: number) {}

  async health(): Promise<null> {
    return null;
  }

  entryScan(req: GateScanRequest): Promise<OpResult<EntryScanBody>> {
    return this.rpc('sp_process_gate_scan', { p_idempotency_key: req.idempotencyKey, p_wallet_id: req.walletId, p_gateway_id: req.gatewayId, p_direction: 'entry' }, 'entry');
  }

  exitScan(req: GateScanRequest): Promise<OpResult<ExitScanBody>> {
    return this.rpc('sp_process_gate_scan', { p_idempotency_key: req.idempotencyKey, p_wallet_id: req.walletId, p_gateway_id: req.gatewayId, p_direction: 'exit' }, 'exit');
  }

  order(req: OrderRequest): Promise<OpResult<OrderBody>> {
    return this.rpc('sp_process_bar_order', { p_idempotency_key: req.idempotencyKey, p_wallet_id: req.walletId, p_terminal_id: req.terminalId, p_items: req.items }, 'order');
  }

  recharge(req: RechargeRequest): Promise<OpResult<RechargeBody>> {
    const args = { p_idempotency_key: req.idempotencyKey, p_wallet_id: req.walletId, p_amount_cents: req.amountCents, p_checkpoint_id: req.checkpointId, p_method: req.method };
    return this.rpc('sp_process_checkpoint_recharge', args, 'recharge');
  }

  createFundingIntent(req: FundingIntentRequest): Promise<OpResult<FundingIntentBody>> {
    return this.rpc('sp_create_funding_intent', { p_idempotency_key: req.idempotencyKey, p_wallet_id: req.walletId, p_amount_cents: req.amountCents }, 'funding_intent');
  }

  async deliverWebhook(req: WebhookDelivery): Promise<OpResult<WebhookBody>> {
    const headers = { 'Content-Type': 'application/json', 'Stripe-Signature': req.signatureHeader };
    const res = await send(this.port, 'POST', `${this.baseUrl}/functions/v1/stripe-webhook`, req.payload, { op: 'funding_webhook', route: 'POST /functions/v1/stripe-webhook', headers, timeoutSeconds: this.timeoutSeconds });
    return fromRpc<WebhookBody>('funding_webhook', res);
  }

  readWallet(walletId: string): Promise<OpResult<WalletView>> {
    return this.rpc('get_wallet', { p_wallet_id: walletId }, 'wallet_read');
  }

  readFundingIntent(intentId: string): Promise<OpResult<FundingIntentBody>> {
    return this.rpc('get_funding_intent', { p_intent_id: intentId }, 'funding_intent_read');
  }

  /** One procedure call; a binding may carry it differently (lib/bindings/artillery: supabase-js). */
  protected async rpc<B>(fn: string, args: Record<string, unknown>, op: CallName): Promise<OpResult<B>> {
    const res = await send(this.port, 'POST', `${this.baseUrl}/rest/v1/rpc/${fn}`, JSON.stringify(args), {
      op,
      route: `POST /rest/v1/rpc/${fn}`,
      headers: { 'Content-Type': 'application/json', apikey: this.apiKey, Authorization: `Bearer ${this.apiKey}` },
      timeoutSeconds: this.timeoutSeconds,
    });
    return fromRpc<B>(op, res);
  }
}
