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

export function isDefectMode(name: string): name is DefectMode {
  return (DEFECT_MODES as readonly string[]).includes(name);
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
