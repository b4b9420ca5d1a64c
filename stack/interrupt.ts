// Ctrl-C policy for long pipelines: the first SIGINT/SIGTERM asks for a graceful stop (the load
// processes, in the same process group, receive it too and end their test; the pipeline skips
// what is left and tears down); a second one tears down at once and exits.
import { EXIT } from '../core/exit-codes.js';

let interrupted = false;

export function isInterrupted(): boolean {
  return interrupted;
}

export function installInterruptHandler(teardown: () => Promise<void>, log: (m: string) => void): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    interrupted = true;
    if (count === 1) {
      log(`${sig}: finishing the current step, then stopping (press Ctrl-C again to stop now)`);
      return;
    }
    log(`${sig} again: stopping now`);
    void teardown().finally(() => process.exit(EXIT.interrupted));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
