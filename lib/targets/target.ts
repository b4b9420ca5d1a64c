// The one interface scenarios drive a festival platform through. Implementations (rest.ts,
// supabase.ts) own URLs, headers and body shapes; flows never build a request themselves.
// Every call goes out through the run's LoadPort, so the engine is the binding's business.
import type { TimedOperation } from '../../core/metric-names.js';
import type { OutcomeClass } from '../../core/operations.js';
import type { TargetKind } from '../../core/target-kind.js';

/** Every call the adapters make: the timed domain operations plus the health probe. */
export type CallName = TimedOperation | 'health';

/** What every call returns, whichever surface answered. */
export interface OpResult<B = Record<string, unknown>> {
  op: CallName;
  outcome: OutcomeClass;
  /** HTTP status as the surface meant it (RPC: the procedure's http_status); 0 = no response. */
  status: number;
  /** Error/rejection code (core/error-codes.ts), 'timeout' / 'network_error' without a response; null on success. */
  code: string | null;
  /** Payload fields (REST body or RPC result); null when the body was not JSON. */
  body: B | null;
  /** The target answered from its idempotency record (a replay of an earlier completed write). */
  replayed: boolean;
  durationMs: number;
}

export interface GateScanRequest { walletId: string; gatewayId: string; idempotencyKey: string }
export interface OrderLine { product_id: string; quantity: number }
export interface OrderRequest { walletId: string; terminalId: string; items: OrderLine[]; idempotencyKey: string }
export interface RechargeRequest { walletId: string; amountCents: number; checkpointId: string; method: 'cash' | 'card'; idempotencyKey: string }
export interface FundingIntentRequest { walletId: string; amountCents: number; idempotencyKey: string }
export interface WebhookDelivery { payload: string; signatureHeader: string }

export interface WalletView { wallet_id: string; balance_cents: number; status: string; inside: boolean; entry_count: number }
export interface EntryScanBody { result: 'admitted' | 'readmitted'; entry_number: number; fee_cents: number; balance_cents: number; occupancy: number }
export interface ExitScanBody { result: 'exited'; occupancy: number }
export interface OrderBody { order_id: string; total_cents: number; platform_fee_cents: number; vendor_share_cents: number; balance_cents: number }
export interface RechargeBody { recharge_id: string; balance_cents: number }
export interface FundingIntentBody { intent_id: string; status: 'pending' | 'confirmed' | 'failed'; amount_cents: number; wallet_id: string }
export interface WebhookBody { received: boolean; outcome: 'applied' | 'duplicate' | 'ignored' | 'superseded' }
export interface HealthBody { status: string; database: string }

export interface Target {
  readonly kind: TargetKind;
  /** null: the surface has no health route (Supabase); setup then relies on a wallet read. */
  health(): Promise<OpResult<HealthBody> | null>;
  entryScan(req: GateScanRequest): Promise<OpResult<EntryScanBody>>;
  exitScan(req: GateScanRequest): Promise<OpResult<ExitScanBody>>;
  order(req: OrderRequest): Promise<OpResult<OrderBody>>;
  recharge(req: RechargeRequest): Promise<OpResult<RechargeBody>>;
  createFundingIntent(req: FundingIntentRequest): Promise<OpResult<FundingIntentBody>>;
  deliverWebhook(req: WebhookDelivery): Promise<OpResult<WebhookBody>>;
  readWallet(walletId: string): Promise<OpResult<WalletView>>;
  readFundingIntent(intentId: string): Promise<OpResult<FundingIntentBody>>;
}
