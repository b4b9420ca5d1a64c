// The Target the flows drive in a chaos run: the real adapter, plus (1) every request tagged
// with the chaos phase of the moment it is sent, and (2) the queue of an offline door shifted
// to a door that is up: a scan aimed at a gateway whose scanner is offline goes to the first
// online door instead. One per iteration (lib/chaos/context.ts).
import type { LoadPort } from '../../core/load-port.js';
import type { GatewayFixture } from '../fixtures.js';
import type { FundingIntentRequest, GateScanRequest, OrderRequest, RechargeRequest, Target, WebhookDelivery } from '../targets/index.js';
import { chaosSeconds, tagPhase, type ChaosClock } from './clock.js';
import type { ChaosEnv } from './contract.js';
import { countRerouted } from './metrics.js';
import { offlineDevices } from './schedule.js';
import type { TargetKind } from '../../core/target-kind.js';

export interface ChaosTargetScope {
  env: ChaosEnv;
  clock: ChaosClock;
  /** the profile's doors, in lane order */
  doors: readonly GatewayFixture[];
}

export class ChaosTarget implements Target {
  readonly kind: TargetKind;

  /**
   * Where each key's scan went: a retry (same Idempotency-Key) must go to the same door, or the
   * target would see a different request under that key (422 idempotency_key_reused).
   */
  private readonly sentTo = new Map<string, string>();

  constructor(private readonly inner: Target, private readonly port: LoadPort, private readonly scope: ChaosTargetScope) {
    this.kind = inner.kind;
  }

  private route(req: GateScanRequest): GateScanRequest {
    let gatewayId = this.sentTo.get(req.idempotencyKey);
    if (gatewayId === undefined) {
      gatewayId = this.gatewayFor(req.gatewayId);
      this.sentTo.set(req.idempotencyKey, gatewayId);
    }
    return gatewayId === req.gatewayId ? req : { ...req, gatewayId };
  }

  /** The gateway a scan really goes to: its own, or the first door up if its scanner is offline. */
  gatewayFor(gatewayId: string): string {
    const { env, clock, doors } = this.scope;
    const now = chaosSeconds(clock);
    if (now === null) return gatewayId;
    const door = doors.findIndex((g) => g.id === gatewayId);
    if (door < 0) return gatewayId;
    const offline = offlineDevices(env, 'scanner-offline', doors.length, now);
    if (!offline.has(door)) return gatewayId;
    const up = doors.findIndex((_, i) => !offline.has(i));
    if (up < 0) return gatewayId;
    countRerouted(this.port);
    return doors[up]!.id;
  }

  private tag(): void {
    tagPhase(this.port, this.scope.env, this.scope.clock);
  }

  health() {
    this.tag();
    return this.inner.health();
  }

  entryScan(req: GateScanRequest) {
    this.tag();
    return this.inner.entryScan(this.route(req));
  }

  exitScan(req: GateScanRequest) {
    this.tag();
    return this.inner.exitScan(this.route(req));
  }

  order(req: OrderRequest) {
    this.tag();
    return this.inner.order(req);
  }

  recharge(req: RechargeRequest) {
    this.tag();
    return this.inner.recharge(req);
  }

  createFundingIntent(req: FundingIntentRequest) {
    this.tag();
    return this.inner.createFundingIntent(req);
  }

  deliverWebhook(req: WebhookDelivery) {
    this.tag();
    return this.inner.deliverWebhook(req);
  }

  readWallet(walletId: string) {
    this.tag();
    return this.inner.readWallet(walletId);
  }

  readFundingIntent(intentId: string) {
    this.tag();
    return this.inner.readFundingIntent(intentId);
  }
}
