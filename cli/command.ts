// The contract every CLI command file implements (one command per file, like Artillery).
export interface Command {
  /** One line for `moshpit help`. */
  summary: string;
  /** Usage text shown by `moshpit <name> --help` and on bad arguments. */
  usage: string;
  /** Returns the process exit code. Throw UsageError (core/usage-error.ts) for bad arguments. */
  run(argv: string[]): Promise<number>;
}
