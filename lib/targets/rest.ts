// The reference target's REST surface (platform/API.md, "REST surface").
import type { LoadPort } from '../../core/load-port.js';
import { fromRest } from './internal/normalize.js';
import { send } from './internal/send.js';
import type {
  CallName, EntryScanBody, ExitScanBody, FundingIntentBody, FundingIntentRequest, GateScanRequest, HealthBody, OpResult,
  OrderBody, OrderRequest, RechargeBody, RechargeRequest, Target, WalletView, WebhookBody, WebhookDelivery,
} from './target.js';

export class RestTarget implements Target {
  readonly kind = 'rest';

  constructor(private readonly port: LoadPort, private readonly baseUrl: string, private readonly apiKey: string, private readonly timeoutSeconds: number) {}

  health(): Promise<OpResult<HealthBody>> {
    return this.call('GET', '/v1/health', '/v1/health', null, 'health', {});
  }

  entryScan(req: GateScanRequest): Promise<OpResult<EntryScanBody>> {
    return this.write('/v1/scans/entry', { wallet_id: req.walletId, gateway_id: req.gatewayId }, 'entry', req.idempotencyKey);
  }

  exitScan(req: GateScanRequest): Promise<OpResult<ExitScanBody>> {
    return this.write('/v1/scans/exit', { wallet_id: req.walletId, gateway_id: req.gatewayId }, 'exit', req.idempotencyKey);
  }

  order(req: OrderRequest): Promise<OpResult<OrderBody>> {
    return this.write('/v1/orders', { wallet_id: req.walletId, terminal_id: req.terminalId, items: req.items }, 'order', req.idempotencyKey);
  }

  recharge(req: RechargeRequest): Promise<OpResult<RechargeBody>> {
    const body = { wallet_id: req.walletId, amount_cents: req.amountCents, checkpoint_id: req.checkpointId, method: req.method };
    return this.write('/v1/recharges', body, 'recharge', req.idempotencyKey);
  }

  createFundingIntent(req: FundingIntentRequest): Promise<OpResult<FundingIntentBody>> {
    return this.write('/v1/funding-intents', { wallet_id: req.walletId, amount_cents: req.amountCents }, 'funding_intent', req.idempotencyKey);
  }

  async deliverWebhook(req: WebhookDelivery): Promise<OpResult<WebhookBody>> {
    // Stripe authenticates by signature, not by our API key; the raw payload is what was signed.
    const headers = { 'Content-Type': 'application/json', 'Stripe-Signature': req.signatureHeader };
    const res = await send(this.port, 'POST', `${this.baseUrl}/v1/webhooks/stripe`, req.payload, { op: 'funding_webhook', route: 'POST /v1/webhooks/stripe', headers, timeoutSeconds: this.timeoutSeconds });
    return fromRest<WebhookBody>('funding_webhook', res);
  }

  readWallet(walletId: string): Promise<OpResult<WalletView>> {
    return this.call('GET', `/v1/wallets/${encodeURIComponent(walletId)}`, '/v1/wallets/{id}', null, 'wallet_read', {});
  }

  readFundingIntent(intentId: string): Promise<OpResult<FundingIntentBody>> {
    return this.call('GET', `/v1/funding-intents/${encodeURIComponent(intentId)}`, '/v1/funding-intents/{id}', null, 'funding_intent_read', {});
  }

  private write<B>(path: string, body: object, op: CallName, idempotencyKey: string): Promise<OpResult<B>> {
    return this.call('POST', path, path, JSON.stringify(body), op, { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey });
  }

  private async call<B>(method: 'GET' | 'POST', path: string, routePath: string, body: string | null, op: CallName, headers: Record<string, string>): Promise<OpResult<B>> {
    const res = await send(this.port, method, `${this.baseUrl}${path}`, body, {
      op,
      route: `${method} ${routePath}`,
      headers: { Authorization: `Bearer ${this.apiKey}`, ...headers },
      timeoutSeconds: this.timeoutSeconds,
    });
    return fromRest<B>(op, res);
  }
}
