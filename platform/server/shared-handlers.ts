// Pieces both surfaces share: their dependencies, the Idempotency-Key header, the funding
// intent edge function (same body and answers as POST /v1/funding-intents).
import type { DefectMode } from './defects.js';
import { fundingIntentInput, requireIdempotencyKey } from './input-validation.js';
import type { ProcedureResult } from './procedure-result.js';
import type { CallOutcome, Procedures } from './procedures.js';
import { restReply } from './replies.js';
import { readJsonObject } from './request-body.js';
import type { Reply, RequestContext } from './routing.js';
import type { StripeWebhookReceiver } from './stripe-webhook.js';

export interface RouteDeps {
  procedures: Procedures;
  webhook: StripeWebhookReceiver;
  defects: readonly DefectMode[];
}

export function idempotencyHeader(ctx: RequestContext): string {
  const value = ctx.req.headers['idempotency-key'];
  return requireIdempotencyKey(Array.isArray(value) ? value.join(',') : value);
}

export function outcomeReply(ctx: RequestContext, outcome: CallOutcome): Reply {
  ctx.defect = outcome.defect;
  return restReply(ctx, outcome.result);
}

/** A read that came back SQL NULL is "not found" in the procedure's own vocabulary. */
export function notFoundResult(code: 'wallet_not_found' | 'unknown_intent', message: string): ProcedureResult {
  return { ok: false, http_status: 404, code, message };
}

export async function fundingIntentFromJson(ctx: RequestContext, deps: RouteDeps): Promise<Reply> {
  const body = await readJsonObject(ctx.req);
  const input = fundingIntentInput(body, idempotencyHeader(ctx), (walletId) => { ctx.walletId = walletId; });
  return outcomeReply(ctx, await deps.procedures.createFundingIntent(input));
}
