// Bad input from the user (a flag, an environment variable, a timeline), found before anything
// starts: the CLI prints it with the command's usage and exits 2 (EXIT.usage), nothing changed.
// In core/ because the chaos timeline and the pipeline raise it, not only the commands.
export class UsageError extends Error {}
