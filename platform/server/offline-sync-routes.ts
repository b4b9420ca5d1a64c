// Offline terminal sync, on both surfaces (platform/API.md, "Offline terminal sync"):
//   REST      POST /v1/terminals/{id}/offline-orders   Idempotency-Key header, {"orders": [...]}
//   Supabase  POST /rest/v1/rpc/sp_sync_offline_orders {p_idempotency_key, p_terminal_id, p_orders}
// A terminal that sold offline uploads its queued sales in one burst; the procedure
// (003_offline_sync.sql) applies them in device_seq order, records what a wallet can no longer
// cover as an offline shortfall, and answers every order's outcome.
import { ApiError } from './api-error.js';
import { onlyFields, pathId, requireId, requireIdempotencyKey, requireItems, type OrderItem } from './input-validation.js';
import { rpcReply } from './replies.js';
import { readJsonObject } from './request-body.js';
import type { RequestContext, Route } from './routing.js';
import { idempotencyHeader, outcomeReply, type RouteDeps } from './shared-handlers.js';

export const MAX_OFFLINE_ORDERS = 500;
const MAX_DEVICE_SEQ = Number.MAX_SAFE_INTEGER;

export interface OfflineOrder {
  device_order_id: string;
  device_seq: number;
  wallet_id: string;
  items: OrderItem[];
  idempotency_key?: string;
  sold_at?: string;
}

export interface OfflineSyncInput { idempotencyKey: string; terminalId: string; orders: OfflineOrder[] }

function invalid(message: string): ApiError {
  return new ApiError('validation_failed', message);
}

/** The same rules as mp_check_offline_orders, checked before the database is touched. */
export function requireOfflineOrders(body: Record<string, unknown>, field: string): OfflineOrder[] {
  const value = body[field];
  if (!Array.isArray(value) || value.length === 0) throw invalid(`${field} must be a non-empty array`);
  if (value.length > MAX_OFFLINE_ORDERS) throw invalid(`${field} must have at most ${MAX_OFFLINE_ORDERS} entries`);
  const ids = new Set<string>();
  const keys = new Set<string>();
  return value.map((raw: unknown, i) => {
    const where = `${field}[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${where} must be an object`);
    const o = raw as Record<string, unknown>;
    onlyFields(o, ['device_order_id', 'device_seq', 'wallet_id', 'items', 'idempotency_key', 'sold_at'], where);
    const order: OfflineOrder = {
      device_order_id: requireId(o, 'device_order_id'),
      device_seq: 0,
      wallet_id: requireId(o, 'wallet_id'),
      items: requireItems(o, 'items'),
    };
    const seq = o.device_seq;
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > MAX_DEVICE_SEQ) {
      throw invalid(`${where}.device_seq must be an integer from 0 to ${MAX_DEVICE_SEQ}`);
    }
    order.device_seq = seq;
    if (o.idempotency_key !== undefined) order.idempotency_key = requireIdempotencyKey(o.idempotency_key);
    if (o.sold_at !== undefined) {
      if (typeof o.sold_at !== 'string' || o.sold_at.length > 64 || Number.isNaN(Date.parse(o.sold_at))) throw invalid(`${where}.sold_at must be an ISO timestamp`);
      order.sold_at = o.sold_at;
    }
    if (ids.has(order.device_order_id)) throw invalid(`${where}.device_order_id ${order.device_order_id} appears twice in the batch`);
    ids.add(order.device_order_id);
    if (order.idempotency_key !== undefined) {
      if (keys.has(order.idempotency_key)) throw invalid(`${where}.idempotency_key appears twice in the batch`);
      keys.add(order.idempotency_key);
    }
    return order;
  });
}

export function offlineSyncRoutes(deps: RouteDeps): Route[] {
  return [
    {
      method: 'POST', template: '/v1/terminals/:id/offline-orders', surface: 'rest', auth: 'rest', errorStyle: 'rest', op: 'order', slow: true,
      handle: async (ctx: RequestContext) => {
        const terminalId = pathId(ctx.params.id, 'terminal id');
        const body = await readJsonObject(ctx.req);
        const idempotencyKey = idempotencyHeader(ctx);
        onlyFields(body, ['orders']);
        const orders = requireOfflineOrders(body, 'orders');
        return outcomeReply(ctx, await deps.procedures.offlineSync({ idempotencyKey, terminalId, orders }));
      },
    },
    {
      method: 'POST', template: '/rest/v1/rpc/sp_sync_offline_orders', surface: 'supabase', auth: 'supabase', errorStyle: 'rpc', op: 'order', slow: true,
      handle: async (ctx: RequestContext) => {
        const args = await readJsonObject(ctx.req);
        onlyFields(args, ['p_idempotency_key', 'p_terminal_id', 'p_orders'], 'arguments');
        const idempotencyKey = requireIdempotencyKey(args.p_idempotency_key);
        const terminalId = requireId(args, 'p_terminal_id');
        const orders = requireOfflineOrders(args, 'p_orders');
        const called = await deps.procedures.offlineSync({ idempotencyKey, terminalId, orders });
        ctx.defect = called.defect;
        return rpcReply(ctx, called.result);
      },
    },
  ];
}
