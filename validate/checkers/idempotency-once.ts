// An idempotency key is applied at most once: at most one ledger row, order,
// recharge, funding intent and effective gate scan per key. More means a retry or replay
// was executed again instead of answered from the stored result.
import { countViolations } from '../violations.js';
import type { Checker } from '../types.js';
import { EFFECTIVE_SCAN_RESULTS } from './gate-sequence.js';
import { keyScopeCondition, keyScopeParams } from './key-scope.js';
import { agreed, same } from '../single-pass/fingerprints.js';

const KEYED_EFFECTS: ReadonlyArray<{ table: string; where?: string }> = [
  { table: 'ledger' },
  { table: 'orders' },
  { table: 'recharges' },
  { table: 'funding_intents' },
  { table: 'nfc_scan_log', where: `result IN ${EFFECTIVE_SCAN_RESULTS}` },
];

export const idempotencyOnce: Checker = {
  name: 'idempotency-once',
  anomaly: 'key-applied-twice',
  description: 'no idempotency key has more than one ledger row, order, recharge, funding intent or effective scan',
  async run(ctx) {
    const perTable = KEYED_EFFECTS.map(
      (t) => `
        SELECT '${t.table}' AS source, t.idempotency_key AS key, count(*) AS applications, min(t.wallet_id) AS wallet_id
        FROM ${t.table} t
        WHERE t.idempotency_key IS NOT NULL AND ${keyScopeCondition('t')}${t.where ? ` AND t.${t.where}` : ''}
        GROUP BY t.idempotency_key
        HAVING count(*) > 1`,
    );
    // One violation per key, however many tables show it twice.
    return countViolations(ctx, {
      sql: `
        SELECT key, min(wallet_id) AS wallet_id,
               string_agg(source || ' x' || applications, ', ' ORDER BY source) AS applied
        FROM (${perTable.join('\nUNION ALL\n')}) d
        GROUP BY key`,
      params: keyScopeParams(ctx.scope),
      orderBy: 'key',
    });
  },
  screen: {
    // One keyed table at a time: no key with two rows in any of them.
    passes: ['keys:ledger', 'keys:orders', 'keys:recharges', 'keys:funding_intents', 'keys:nfc_scan_log'],
    decide: (p) => (idempotencyOnce.screen!.passes.every((t) => same(p.one(t).repeated_keys, 0)) ? agreed() : null),
  },
};
