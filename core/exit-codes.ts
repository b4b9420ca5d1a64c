// Every exit code moshpit's commands return, in one place (README "Exit codes" lists these).
export const EXIT = {
  /** Thresholds held and the money checks passed. */
  ok: 0,
  /** Anything else went wrong (a crash, a tool that failed, a load process that died). */
  error: 1,
  /** Bad command-line or environment input: refused before anything started. */
  usage: 2,
  /** Pre-flight said NOT READY: no load was sent. */
  notReady: 3,
  /** Money validation found violations. */
  validationFailed: 4,
  /** Load thresholds breached (evaluated by moshpit on the merged metrics stream). */
  thresholds: 99,
  /** Stopped by SIGINT/SIGTERM (or `moshpit stop`): what ran was validated, never a pass. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit codes of a user's k6 binary that moshpit tells apart (k6's errext/exitcodes). */
export const K6_EXIT = {
  /** An abortOnFail threshold fired: k6 stopped early; moshpit's verdict still comes from the stream. */
  thresholdsFailed: 99,
  /** k6 was interrupted (a signal). */
  externalAbort: 105,
  /** The script threw. */
  scriptException: 107,
} as const;
