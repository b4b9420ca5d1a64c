// The Target the flows drive in a chaos run: the real adapter, plus (1) every request tagged
// with the chaos phase of the moment it is sent (lib/chaos/clock.ts tagPhase), and (2) the
// queue of an offline door shifted to a door that is up: a scan aimed at a gateway whose
// scanner is offline goes to the first online door instead.
import type { GatewayFixture } from '../fixtures.js';
import type {
  EntryScanBody, ExitScanBody, FundingIntentBody, FundingIntentRequest, GateScanRequest, HealthBody, OpResult,
  OrderBody, OrderRequest, RechargeBody, RechargeRequest, Target, WalletView, WebhookBody, WebhookDelivery,
} from '../targets/index.js';
import { chaosEnv, chaosSeconds, tagPhase } from './clock.js';
import { countRerouted } from './metrics.js';
import { offlineDevices } from './schedule.js';

export class ChaosTarget implements Target {
  readonly kind: 'rest' | 'supabase';

  constructor(private readonly inner: Target, private readonly doors: readonly GatewayFixture[]) {
    this.kind = inner.kind;
  }

  /**
   * Where each key's scan went: a retry (same Idempotency-Key) must go to the same door, or the
   * target would see a different request under that key (422 idempotency_key_reused).
   */
  private readonly sentTo = new Map<string, string>();

  private route(req: GateScanRequest): GateScanRequest {
    let gatewayId = this.sentTo.get(req.idempotencyKey);
    if (gatewayId === undefined) {
      gatewayId = this.gatewayFor(req.gatewayId);
      if (this.sentTo.size >= 1000) this.sentTo.clear(); // one VU's recent keys; bounded
      this.sentTo.set(req.idempotencyKey, gatewayId);
    }
    return gatewayId === req.gatewayId ? req : { ...req, gatewayId };
  }

  /** The gateway a scan really goes to: its own, or the first door up if its scanner is offline. */
  gatewayFor(gatewayId: string): string {
    const now = chaosSeconds();
    if (now === null) return gatewayId;
    const door = this.doors.findIndex((g) => g.id === gatewayId);
    if (door < 0) return gatewayId;
    const offline = offlineDevices(chaosEnv(), 'scanner-offline', this.doors.length, now);
    if (!offline.has(door)) return gatewayId;
    const up = this.doors.findIndex((_, i) => !offline.has(i));
    if (up < 0) return gatewayId;
    countRerouted();
    return this.doors[up]!.id;
  }

  health(): OpResult<HealthBody> | null {
    tagPhase();
    return this.inner.health();
  }

  entryScan(req: GateScanRequest): OpResult<EntryScanBody> {
    tagPhase();
    return this.inner.entryScan(this.route(req));
  }

  exitScan(req: GateScanRequest): OpResult<ExitScanBody> {
    tagPhase();
    return this.inner.exitScan(this.route(req));
  }

  order(req: OrderRequest): OpResult<OrderBody> {
    tagPhase();
    return this.inner.order(req);
  }

  recharge(req: RechargeRequest): OpResult<RechargeBody> {
    tagPhase();
    return this.inner.recharge(req);
  }

  createFundingIntent(req: FundingIntentRequest): OpResult<FundingIntentBody> {
    tagPhase();
    return this.inner.createFundingIntent(req);
  }

  deliverWebhook(req: WebhookDelivery): OpResult<WebhookBody> {
    tagPhase();
    return this.inner.deliverWebhook(req);
  }

  readWallet(walletId: string): OpResult<WalletView> {
    tagPhase();
    return this.inner.readWallet(walletId);
  }

  readFundingIntent(intentId: string): OpResult<FundingIntentBody> {
    tagPhase();
    return this.inner.readFundingIntent(intentId);
  }
}
