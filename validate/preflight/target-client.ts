// Just enough of the target contract (platform/API.md) for pre-flight, on either surface:
// REST (/v1, Bearer key, Idempotency-Key header) or Supabase (PostgREST RPC, apikey header,
// p_idempotency_key argument, body = the procedure's result).
import type { TargetKind } from '../../core/target-kind.js';

export interface TargetAnswer {
  status: number;
  /** Payload fields on success; error code when refused. */
  body: Record<string, unknown>;
  code: string | null;
}

export interface TargetClient {
  health(): Promise<TargetAnswer>;
  readWallet(walletId: string): Promise<TargetAnswer>;
  recharge(key: string, walletId: string, amountCents: number, checkpointId: string): Promise<TargetAnswer>;
  order(key: string, walletId: string, terminalId: string, items: Array<{ product_id: string; quantity: number }>): Promise<TargetAnswer>;
  /** A Stripe delivery: the raw payload and its Stripe-Signature header. */
  webhook(payload: string, signature: string): Promise<TargetAnswer>;
}

async function request(url: string, init: RequestInit, timeoutMs: number): Promise<TargetAnswer> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    body = { text: text.slice(0, 200) };
  }
  const error = body.error as { code?: unknown } | undefined;
  const code = typeof error?.code === 'string' ? error.code : typeof body.code === 'string' ? body.code : null;
  return { status: res.status, body, code };
}

export function targetClient(kind: TargetKind, baseUrl: string, apiKey: string, timeoutMs: number): TargetClient {
  const base = baseUrl.replace(/\/+$/, '');
  const json = { 'Content-Type': 'application/json' };
  const health = () => request(`${base}/v1/health`, { method: 'GET' }, timeoutMs);
  const webhookAt = (path: string) => (payload: string, signature: string) =>
    request(`${base}${path}`, { method: 'POST', headers: { ...json, 'Stripe-Signature': signature }, body: payload }, timeoutMs);
  if (kind === 'rest') {
    const auth = { Authorization: `Bearer ${apiKey}` };
    const post = (path: string, key: string, body: unknown) =>
      request(`${base}${path}`, { method: 'POST', headers: { ...json, ...auth, 'Idempotency-Key': key }, body: JSON.stringify(body) }, timeoutMs);
    return {
      health,
      readWallet: (id) => request(`${base}/v1/wallets/${encodeURIComponent(id)}`, { method: 'GET', headers: auth }, timeoutMs),
      recharge: (key, walletId, amount, checkpointId) =>
        post('/v1/recharges', key, { wallet_id: walletId, amount_cents: amount, checkpoint_id: checkpointId, method: 'card' }),
      order: (key, walletId, terminalId, items) => post('/v1/orders', key, { wallet_id: walletId, terminal_id: terminalId, items }),
      webhook: webhookAt('/v1/webhooks/stripe'),
    };
  }
  const rpc = (fn: string, args: Record<string, unknown>) =>
    request(`${base}/rest/v1/rpc/${fn}`, { method: 'POST', headers: { ...json, apikey: apiKey, Authorization: `Bearer ${apiKey}` }, body: JSON.stringify(args) }, timeoutMs);
  return {
    health,
    readWallet: (id) => rpc('get_wallet', { p_wallet_id: id }),
    recharge: (key, walletId, amount, checkpointId) =>
      rpc('sp_process_checkpoint_recharge', { p_idempotency_key: key, p_wallet_id: walletId, p_amount_cents: amount, p_checkpoint_id: checkpointId, p_method: 'card' }),
    order: (key, walletId, terminalId, items) =>
      rpc('sp_process_bar_order', { p_idempotency_key: key, p_wallet_id: walletId, p_terminal_id: terminalId, p_items: items }),
    webhook: webhookAt('/functions/v1/stripe-webhook'),
  };
}
