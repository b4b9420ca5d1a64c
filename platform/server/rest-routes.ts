// The REST surface (/v1, platform/API.md "REST surface").
import { onlyFields, pathId, requireId, requireItems, requireOneOf, requirePositiveCents, type ScanDirection } from './input-validation.js';
import { restReply } from './replies.js';
import { readJsonObject } from './request-body.js';
import type { Reply, RequestContext, Route } from './routing.js';
import { fundingIntentFromJson, idempotencyHeader, notFoundResult, outcomeReply, type RouteDeps } from './shared-handlers.js';

const HEALTH_TIMEOUT_MS = 2_000;

async function health(deps: RouteDeps): Promise<Reply> {
  const defects = [...deps.defects];
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      deps.procedures.ping(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('health check timed out')), HEALTH_TIMEOUT_MS); }),
    ]);
    return { status: 200, body: { status: 'ok', database: 'ok', defects } };
  } catch {
    return { status: 503, body: { status: 'unavailable', database: 'unreachable', defects, error: { code: 'unavailable', message: 'database unreachable' } } };
  } finally {
    clearTimeout(timer);
  }
}

function scan(direction: ScanDirection, deps: RouteDeps) {
  return async (ctx: RequestContext): Promise<Reply> => {
    const body = await readJsonObject(ctx.req);
    const idempotencyKey = idempotencyHeader(ctx);
    onlyFields(body, ['wallet_id', 'gateway_id']);
    const walletId = requireId(body, 'wallet_id');
    ctx.walletId = walletId;
    const gatewayId = requireId(body, 'gateway_id');
    return outcomeReply(ctx, await deps.procedures.gateScan({ idempotencyKey, walletId, gatewayId, direction }));
  };
}

export function restRoutes(deps: RouteDeps): Route[] {
  const rest = { surface: 'rest', auth: 'rest', errorStyle: 'rest', slow: true } as const;
  return [
    {
      ...rest, method: 'GET', template: '/v1/health', auth: 'none', slow: false, op: 'health',
      handle: () => health(deps),
    },
    {
      ...rest, method: 'GET', template: '/v1/wallets/:id', op: 'wallet_read',
      handle: async (ctx) => {
        const walletId = pathId(ctx.params.id, 'wallet id');
        ctx.walletId = walletId;
        const result = await deps.procedures.getWallet(walletId);
        return restReply(ctx, result ?? notFoundResult('wallet_not_found', 'no such wallet'));
      },
    },
    { ...rest, method: 'POST', template: '/v1/scans/entry', op: 'entry', handle: scan('entry', deps) },
    { ...rest, method: 'POST', template: '/v1/scans/exit', op: 'exit', handle: scan('exit', deps) },
    {
      ...rest, method: 'POST', template: '/v1/orders', op: 'order',
      handle: async (ctx) => {
        const body = await readJsonObject(ctx.req);
        const idempotencyKey = idempotencyHeader(ctx);
        onlyFields(body, ['wallet_id', 'terminal_id', 'items']);
        const walletId = requireId(body, 'wallet_id');
        ctx.walletId = walletId;
        const terminalId = requireId(body, 'terminal_id');
        const items = requireItems(body, 'items');
        return outcomeReply(ctx, await deps.procedures.barOrder({ idempotencyKey, walletId, terminalId, items }));
      },
    },
    {
      ...rest, method: 'POST', template: '/v1/recharges', op: 'recharge',
      handle: async (ctx) => {
        const body = await readJsonObject(ctx.req);
        const idempotencyKey = idempotencyHeader(ctx);
        onlyFields(body, ['wallet_id', 'amount_cents', 'checkpoint_id', 'method']);
        const walletId = requireId(body, 'wallet_id');
        ctx.walletId = walletId;
        const amountCents = requirePositiveCents(body, 'amount_cents');
        const checkpointId = requireId(body, 'checkpoint_id');
        const method = requireOneOf(body, 'method', ['cash', 'card'] as const);
        return outcomeReply(ctx, await deps.procedures.checkpointRecharge({ idempotencyKey, walletId, amountCents, checkpointId, method }));
      },
    },
    { ...rest, method: 'POST', template: '/v1/funding-intents', op: 'funding_intent', handle: (ctx) => fundingIntentFromJson(ctx, deps) },
    {
      ...rest, method: 'GET', template: '/v1/funding-intents/:id', op: 'funding_intent',
      handle: async (ctx) => {
        const intentId = pathId(ctx.params.id, 'funding intent id');
        const result = await deps.procedures.getFundingIntent(intentId);
        if (result && typeof result.wallet_id === 'string') ctx.walletId = result.wallet_id;
        return restReply(ctx, result ?? notFoundResult('unknown_intent', 'no such funding intent'));
      },
    },
    {
      ...rest, method: 'POST', template: '/v1/webhooks/stripe', auth: 'none', op: 'funding_webhook',
      handle: (ctx) => deps.webhook.receive(ctx),
    },
  ];
}
