// Pre-flight: the Stripe webhook endpoint is configured with the test webhook secret. Two
// deliveries that move no money:
//   - a payment_intent.created event (an intent being created funds nothing: a funding
//     handler acknowledges it and ignores it), signed with the secret: must be accepted (2xx);
//   - the same event signed with another secret: must be refused (400), or the endpoint
//     would credit wallets for anyone who can reach it.
// The intent id carries the test prefix and matches no intent, so nothing can be credited.
import { createHmac, randomBytes } from 'node:crypto';
import { stripeSignatureHeader } from '../../lib/stripe-signer.js';
import type { CheckOutcome } from './database-checks.js';
import type { TargetClient } from './target-client.js';

const hmac = { hmacSha256Hex: (key: string, message: string) => createHmac('sha256', key).update(message).digest('hex') };

export function probeEvent(prefix: string, now: Date): string {
  // Unique per probe: an endpoint that drops duplicate event ids must still process this one.
  const stamp = `${now.toISOString().replace(/[-:.TZ]/g, '')}_${randomBytes(4).toString('hex')}`;
  const created = Math.floor(now.getTime() / 1000);
  return JSON.stringify({
    id: `evt_${prefix}preflight_${stamp}`,
    object: 'event',
    api_version: '2024-06-20',
    created,
    livemode: false,
    type: 'payment_intent.created',
    data: { object: { id: `pi_${prefix}preflight_${stamp}`, object: 'payment_intent', amount: 0, currency: 'eur', status: 'requires_payment_method', livemode: false, metadata: {} } },
  });
}

export async function checkWebhookProbe(client: TargetClient, secret: string, prefix: string, now: Date): Promise<CheckOutcome> {
  const payload = probeEvent(prefix, now);
  // Signed at the real time: Stripe signatures older than 300 s are refused.
  const at = Math.floor(Date.now() / 1000);
  const signed = await client.webhook(payload, stripeSignatureHeader(hmac, payload, secret, at));
  if (signed.status === 404 && signed.code !== 'unknown_intent') return { ok: false, detail: 'no webhook endpoint (HTTP 404): the Stripe webhook route is not deployed' };
  if (signed.status === 400 && signed.code === 'signature_invalid') return { ok: false, detail: 'a delivery signed with STRIPE_WEBHOOK_SECRET was refused (signature_invalid): the endpoint is configured with another secret (or its clock is more than 300 s off)' };
  if (signed.status < 200 || signed.status > 299) return { ok: false, detail: `a signed payment_intent.created delivery: HTTP ${signed.status} ${signed.code ?? ''}`.trim() };
  const forged = `whsec_${randomBytes(24).toString('base64url')}`;
  const bad = await client.webhook(payload, stripeSignatureHeader(hmac, payload, forged, at));
  if (bad.status >= 200 && bad.status <= 299) return { ok: false, detail: `a delivery signed with another secret was accepted (HTTP ${bad.status}): the endpoint does not verify Stripe signatures` };
  if (bad.status !== 400) return { ok: false, detail: `a delivery signed with another secret: HTTP ${bad.status} ${bad.code ?? ''}, expected 400`.trim() };
  return { ok: true, detail: `signed payment_intent.created accepted (HTTP ${signed.status}), one signed with another secret refused (HTTP 400); no money moved` };
}
