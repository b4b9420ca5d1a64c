// How an RPC answer becomes an outcome: a real Supabase project's PostgREST refuses malformed
// arguments before any procedure runs, and the client must read that as validation_failed.
import { expect, it } from 'vitest';
import type { HttpResponse } from '../../core/load-port.js';
import { fromRpc } from '../../lib/targets/internal/normalize.js';

const answer = (status: number, body: unknown): HttpResponse => ({ status, body: JSON.stringify(body), header: () => null, durationMs: 3, error: null });

it.each([
  { what: 'a fraction for a bigint (22P02)', status: 400, body: { code: '22P02', message: 'invalid input syntax for type bigint: "12.5"' } },
  { what: 'an amount out of range (22003)', status: 400, body: { code: '22003', message: 'value "100000000000000000000" is out of range for type bigint' } },
  { what: 'an unknown argument name (PGRST202)', status: 404, body: { code: 'PGRST202', message: 'Could not find the function public.sp_process_bar_order(p_total_cents, ...)' } },
])('PostgREST refusing $what is validation_failed', ({ status, body }) => {
  const r = fromRpc('recharge', answer(status, body));
  expect(r.outcome).toBe('rejected');
  expect(r.code).toBe('validation_failed');
});

it('keeps the procedure\'s own codes and other PostgREST errors as they are', () => {
  expect(fromRpc('order', answer(200, { ok: false, http_status: 402, code: 'insufficient_funds' })).code).toBe('insufficient_funds');
  expect(fromRpc('order', answer(401, { code: 'PGRST301', message: 'JWT expired' })).code).toBe('PGRST301');
  expect(fromRpc('order', answer(200, { ok: true, http_status: 201, order_id: 'o1' })).code).toBeNull();
});
