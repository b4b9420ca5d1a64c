// The one way a test waits for something another process or connection does: ask again until
// the answer is right. No fixed sleeps (too short on a busy machine, wasted on an idle one), and
// the time limit is a generous backstop that only decides how a hang is reported, never a
// measurement the test asserts on.

export interface EventuallyOptions<T> {
  /** What is awaited, for the error: "the waiter's lock wait", "the run to start". */
  what: string;
  /** The answer that ends the wait; default: any truthy value. A probe that throws is asked again. */
  until?: (value: T) => boolean;
  /** Stop waiting at once, with this reason, when it returns a string (e.g. the child died). */
  giveUpIf?: () => string | null | undefined | false;
  /** Backstop for a hang (default 120 s); generous on purpose: the wait ends as soon as the answer is right. */
  timeoutMs?: number;
}

const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 500;

export class EventuallyTimeout extends Error {}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? String(value)).slice(-2000);
}

/** Resolves with the probe's first accepted answer; rejects naming `what` and the last answer. */
export async function eventually<T>(probe: () => T | Promise<T>, opts: EventuallyOptions<T>): Promise<T> {
  const accept = opts.until ?? ((v: T) => Boolean(v));
  const giveUpAt = Date.now() + (opts.timeoutMs ?? 120_000);
  let pause = FIRST_PAUSE_MS;
  let last: unknown = 'no answer yet';
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    const reason = opts.giveUpIf?.();
    if (reason) throw new Error(`gave up waiting for ${opts.what}: ${reason}; last answer: ${describe(last)}`);
    if (Date.now() >= giveUpAt) throw new EventuallyTimeout(`timed out waiting for ${opts.what}; last answer: ${describe(last)}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  }
}
