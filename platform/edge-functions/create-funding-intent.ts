// The create-funding-intent edge function (POST /functions/v1/create-funding-intent): body
// {"wallet_id", "amount_cents"} with an Idempotency-Key header, the same checks and answers as
// the Node server's route (platform/server/shared-handlers.ts), then sp_create_funding_intent.
import { fundingIntentInput, requireIdempotencyKey } from '../server/input-validation.js';
import { restAnswer } from '../server/replies.js';
import { parseJsonText } from '../server/request-body.js';
import { answer, callProcedure, postOnly, readBodyText, type Rpc } from './edge-io.js';

export interface FundingIntentDeps {
  rpc: Rpc;
  onInternalError?: (err: unknown) => void;
}

export function handleCreateFundingIntent(req: Request, deps: FundingIntentDeps): Promise<Response> {
  return answer(async () => {
    postOnly(req);
    const body = parseJsonText(await readBodyText(req));
    const input = fundingIntentInput(body, requireIdempotencyKey(req.headers.get('idempotency-key') ?? undefined));
    const result = await callProcedure(deps.rpc, 'sp_create_funding_intent', {
      p_idempotency_key: input.idempotencyKey, p_wallet_id: input.walletId, p_amount_cents: input.amountCents,
    });
    return restAnswer(result);
  }, deps.onInternalError);
}
