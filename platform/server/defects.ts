// The reference target's opt-in defect modes: the single list the server, the README and the
// CLI use. Each mode breaks one guarantee on purpose so a validator can be shown to catch it.
// Server-level modes are implemented in platform/server; SQL-level ones are read by the stored
// procedures from the `moshpit.defects` setting that the server puts on every connection.

export const SERVER_DEFECTS = ['ack_then_rollback', 'commit_then_reject'] as const;
export type ServerDefect = (typeof SERVER_DEFECTS)[number];

export const SQL_DEFECTS = [
  'lost_update',
  'replay_double_charge',
  'webhook_double_credit',
  'exit_not_recorded',
  'fee_rounding',
  'failed_op_moves_money',
  'missing_audit',
  'no_funds_check',
  'capacity_not_enforced',
] as const;
export type SqlDefect = (typeof SQL_DEFECTS)[number];

export const DEFECT_MODES = [...SERVER_DEFECTS, ...SQL_DEFECTS] as const;
export type DefectMode = (typeof DEFECT_MODES)[number];

/** One line per mode for the README and `moshpit help`. */
export const DEFECT_DESCRIPTIONS: Record<DefectMode, string> = {
  ack_then_rollback: 'every 5th successful write is rolled back but still acknowledged to the client',
  commit_then_reject: 'every 5th successful order is committed but answered 402 insufficient_funds',
  lost_update: 'orders read the balance without a row lock, so concurrent orders overwrite each other',
  replay_double_charge: 'a replayed order key charges again while still answering as a replay',
  webhook_double_credit: 'a duplicate payment_intent.succeeded delivery credits the wallet again',
  exit_not_recorded: 'exits are answered and logged, but the wallet stays inside and occupancy does not drop',
  fee_rounding: 'orders store a truncated platform fee next to the half-up vendor share',
  failed_op_moves_money: 'an order declined for insufficient funds still drains the wallet, with no ledger row',
  missing_audit: 'recharges write no app_transaction_log row',
  no_funds_check: 'orders skip the balance check, so balances go negative',
  capacity_not_enforced: 'admissions ignore the venue capacity',
};

export function isDefectMode(name: string): name is DefectMode {
  return (DEFECT_MODES as readonly string[]).includes(name);
}

export function isServerDefect(name: DefectMode): name is ServerDefect {
  return (SERVER_DEFECTS as readonly string[]).includes(name);
}

export function isSqlDefect(name: DefectMode): name is SqlDefect {
  return (SQL_DEFECTS as readonly string[]).includes(name);
}

export class UnknownDefectError extends Error {
  constructor(readonly unknown: string[]) {
    super(`unknown defect mode${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; valid modes: ${DEFECT_MODES.join(', ')}`);
  }
}

/** Parses a comma list ("a, b,,c"); empty means none. Duplicates collapse; order is kept. */
export function parseDefects(raw: string | undefined): DefectMode[] {
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = names.filter((n) => !isDefectMode(n));
  if (unknown.length > 0) throw new UnknownDefectError(unknown);
  return [...new Set(names as DefectMode[])];
}
