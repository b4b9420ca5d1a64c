// The Supabase-style surface (platform/API.md "Supabase surface"): PostgREST RPC calls with named
// arguments, and the two edge functions. supabase-js talks to it unchanged.
import type { LogOperation } from './request-log.js';
import {
  assertCleanJson, onlyFields, requireId, requireIdempotencyKey, requireItems, requireOneOf, requirePositiveCents,
} from './input-validation.js';
import type { CallOutcome, EXPOSED_PROCEDURES } from './procedures.js';
import { rpcReply } from './replies.js';
import { readJsonObject } from './request-body.js';
import { fundingIntentFromJson, notFoundResult, type RouteDeps } from './shared-handlers.js';
import type { Method, Reply, RequestContext, Route } from './routing.js';

type Args = Record<string, unknown>;
type RpcName = (typeof EXPOSED_PROCEDURES)[number];

/** Each exposed function's named arguments, exactly (PostgREST matches a call by them). */
export const SUPABASE_RPC_ARGUMENTS: Record<RpcName, readonly string[]> = {
  sp_process_gate_scan: ['p_idempotency_key', 'p_wallet_id', 'p_gateway_id', 'p_direction'],
  sp_process_bar_order: ['p_idempotency_key', 'p_wallet_id', 'p_terminal_id', 'p_items'],
  sp_process_checkpoint_recharge: ['p_idempotency_key', 'p_wallet_id', 'p_amount_cents', 'p_checkpoint_id', 'p_method'],
  sp_create_funding_intent: ['p_idempotency_key', 'p_wallet_id', 'p_amount_cents'],
  get_wallet: ['p_wallet_id'],
  get_funding_intent: ['p_intent_id'],
};

/** The edge functions (/functions/v1/<name>); supabase/functions/<name>/ deploys each one. */
export const EDGE_FUNCTIONS = ['stripe-webhook', 'create-funding-intent'] as const;

interface RpcFunction {
  name: RpcName;
  op: LogOperation | null;
  /** Read-only functions may also be called with GET and query-string arguments. */
  readOnly: boolean;
  call(ctx: RequestContext, args: Args, deps: RouteDeps): Promise<Reply>;
}

const RPC_FUNCTIONS: RpcFunction[] = [
  {
    name: 'sp_process_gate_scan', op: null, readOnly: false,
    async call(ctx, args, deps) {
      onlyFields(args, SUPABASE_RPC_ARGUMENTS.sp_process_gate_scan, 'arguments');
      const idempotencyKey = requireIdempotencyKey(args.p_idempotency_key);
      const walletId = requireId(args, 'p_wallet_id');
      ctx.walletId = walletId;
      const gatewayId = requireId(args, 'p_gateway_id');
      const direction = requireOneOf(args, 'p_direction', ['entry', 'exit'] as const);
      ctx.op = direction;
      return outcome(ctx, await deps.procedures.gateScan({ idempotencyKey, walletId, gatewayId, direction }));
    },
  },
  {
    name: 'sp_process_bar_order', op: 'order', readOnly: false,
    async call(ctx, args, deps) {
      onlyFields(args, SUPABASE_RPC_ARGUMENTS.sp_process_bar_order, 'arguments');
      const idempotencyKey = requireIdempotencyKey(args.p_idempotency_key);
      const walletId = requireId(args, 'p_wallet_id');
      ctx.walletId = walletId;
      const terminalId = requireId(args, 'p_terminal_id');
      const items = requireItems(args, 'p_items');
      return outcome(ctx, await deps.procedures.barOrder({ idempotencyKey, walletId, terminalId, items }));
    },
  },
  {
    name: 'sp_process_checkpoint_recharge', op: 'recharge', readOnly: false,
    async call(ctx, args, deps) {
      onlyFields(args, SUPABASE_RPC_ARGUMENTS.sp_process_checkpoint_recharge, 'arguments');
      const idempotencyKey = requireIdempotencyKey(args.p_idempotency_key);
      const walletId = requireId(args, 'p_wallet_id');
      ctx.walletId = walletId;
      const amountCents = requirePositiveCents(args, 'p_amount_cents');
      const checkpointId = requireId(args, 'p_checkpoint_id');
      const method = requireOneOf(args, 'p_method', ['cash', 'card'] as const);
      return outcome(ctx, await deps.procedures.checkpointRecharge({ idempotencyKey, walletId, amountCents, checkpointId, method }));
    },
  },
  {
    name: 'sp_create_funding_intent', op: 'funding_intent', readOnly: false,
    async call(ctx, args, deps) {
      onlyFields(args, SUPABASE_RPC_ARGUMENTS.sp_create_funding_intent, 'arguments');
      const idempotencyKey = requireIdempotencyKey(args.p_idempotency_key);
      const walletId = requireId(args, 'p_wallet_id');
      ctx.walletId = walletId;
      const amountCents = requirePositiveCents(args, 'p_amount_cents');
      return outcome(ctx, await deps.procedures.createFundingIntent({ idempotencyKey, walletId, amountCents }));
    },
  },
  {
    name: 'get_wallet', op: 'wallet_read', readOnly: true,
    async call(ctx, args, deps) {
      onlyFields(args, SUPABASE_RPC_ARGUMENTS.get_wallet, 'arguments');
      const walletId = requireId(args, 'p_wallet_id');
      ctx.walletId = walletId;
      const result = await deps.procedures.getWallet(walletId);
      return rpcReply(ctx, result ?? notFoundResult('wallet_not_found', 'no such wallet'));
    },
  },
  {
    name: 'get_funding_intent', op: 'funding_intent', readOnly: true,
    async call(ctx, args, deps) {
      onlyFields(args, SUPABASE_RPC_ARGUMENTS.get_funding_intent, 'arguments');
      const intentId = requireId(args, 'p_intent_id');
      const result = await deps.procedures.getFundingIntent(intentId);
      if (result && typeof result.wallet_id === 'string') ctx.walletId = result.wallet_id;
      return rpcReply(ctx, result ?? notFoundResult('unknown_intent', 'no such funding intent'));
    },
  },
];

function outcome(ctx: RequestContext, called: CallOutcome): Reply {
  ctx.defect = called.defect;
  return rpcReply(ctx, called.result);
}

/** Route template for requests to /rest/v1/rpc/<name> that match no exposed function. */
export const UNKNOWN_RPC_TEMPLATE = '/rest/v1/rpc/:fn';

function rpcRoute(fn: RpcFunction, method: Method, deps: RouteDeps): Route {
  return {
    method,
    template: `/rest/v1/rpc/${fn.name}`,
    surface: 'supabase',
    auth: 'supabase',
    errorStyle: 'rpc',
    op: fn.op,
    slow: true,
    handle: async (ctx) => {
      const args = method === 'GET' ? Object.fromEntries(ctx.query) : await readJsonObject(ctx.req);
      if (method === 'GET') assertCleanJson(args, 'arguments'); // %00 decodes to NUL
      return fn.call(ctx, args, deps);
    },
  };
}

export function supabaseRoutes(deps: RouteDeps): Route[] {
  const routes: Route[] = [];
  for (const fn of RPC_FUNCTIONS) {
    routes.push(rpcRoute(fn, 'POST', deps));
    if (fn.readOnly) routes.push(rpcRoute(fn, 'GET', deps));
  }
  const edge = { method: 'POST', surface: 'supabase', errorStyle: 'rest', slow: true } as const;
  const [webhook, fundingIntent] = EDGE_FUNCTIONS;
  routes.push(
    { ...edge, template: `/functions/v1/${webhook}`, auth: 'none', op: 'funding_webhook', handle: (ctx) => deps.webhook.receive(ctx) },
    { ...edge, template: `/functions/v1/${fundingIntent}`, auth: 'supabase', op: 'funding_intent', handle: (ctx) => fundingIntentFromJson(ctx, deps) },
  );
  return routes;
}
