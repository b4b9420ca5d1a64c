// The waiting helper itself: it returns the first accepted answer, asks again after a throw,
// gives up at once when told why, and names what it waited for when it times out.
import { describe, expect, it } from 'vitest';
import { eventually, EventuallyTimeout } from './eventually.js';

describe('eventually', () => {
  it('returns the first answer that is accepted, asking again after wrong answers and throws', async () => {
    let asked = 0;
    const v = await eventually(() => {
      asked++;
      if (asked === 1) throw new Error('not yet');
      return asked;
    }, { what: 'the third answer', until: (n) => n >= 3 });
    expect(v).toBe(3);
    expect(asked).toBe(3);
  });

  it('accepts any truthy answer by default', async () => {
    const answers = [0, '', null, 'here'];
    expect(await eventually(() => answers.shift(), { what: 'a value' })).toBe('here');
  });

  it('gives up at once with the reason, without waiting for the time limit', async () => {
    await expect(eventually(() => false, { what: 'a child line', giveUpIf: () => 'the child exited', timeoutMs: 3_600_000 }))
      .rejects.toThrow(/gave up waiting for a child line: the child exited; last answer: false/);
  });

  it('times out naming what it waited for and the last answer', async () => {
    const err = await eventually(() => ({ waiting: 1 }), { what: 'two lock waiters', until: (s) => s.waiting >= 2, timeoutMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventuallyTimeout);
    expect((err as Error).message).toBe('timed out waiting for two lock waiters; last answer: {"waiting":1}');
  });
});
