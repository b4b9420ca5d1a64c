// Pure pieces: LIKE escaping of the prefix and run id, summary.json parsing, JUnit escaping.
import { describe, expect, it } from 'vitest';
import { makeScope, startsWithPattern } from '../../validate/scope.js';
import { parseRunSummary } from '../../validate/summary.js';
import { escapeMarkup } from '../../core/escape.js';
import { assertSafeRunId } from '../../validate/results-dir.js';
import { parseDbInteger } from '../../validate/pg-integers.js';

describe('scope', () => {
  it('escapes LIKE wildcards so k6_test_ never matches k6xtestx', () => {
    expect(startsWithPattern('k6_test_')).toBe('k6\\_test\\_%');
    expect(startsWithPattern('50%\\off')).toBe('50\\%\\\\off%');
    expect(makeScope('k6-test-', '20250101-120000-full-ab12')).toEqual({
      prefix: 'k6-test-', runId: '20250101-120000-full-ab12', walletLike: 'k6-test-%', runKeyLike: '20250101-120000-full-ab12:%',
    });
    expect(makeScope().runKeyLike).toBeNull();
    expect(() => makeScope('')).toThrow(/must not be empty/);
  });

  it('run ids become directory names: no separators, no dot-dot', () => {
    expect(assertSafeRunId('20250101-120000-full-ab12')).toBe('20250101-120000-full-ab12');
    for (const bad of ['../etc', 'a/b', '', '.hidden', 'a..b']) expect(() => assertSafeRunId(bad)).toThrow(/invalid run id/);
  });
});

describe('summary.json', () => {
  it('reads counters from all three k6 shapes; absent counters are 0', () => {
    const legacy = parseRunSummary({ metrics: { moshpit_order_acked: { type: 'counter', values: { count: 7, rate: 0.1 } } } }, 'a');
    const exported = parseRunSummary({ metrics: { moshpit_order_acked: { count: 7, rate: 0.1 }, http_req_duration: { avg: 3 } } }, 'b');
    const machine = parseRunSummary({ version: '2', results: { metrics: [{ name: 'moshpit_order_acked', values: { count: 7 } }] } }, 'c');
    expect([legacy.format, exported.format, machine.format]).toEqual(['handleSummary', 'summary-export', 'machine-readable']);
    for (const s of [legacy, exported, machine]) {
      expect(s.counter('moshpit_order_acked')).toBe(7);
      expect(s.counter('moshpit_order_rejected')).toBe(0);
      expect(s.has('moshpit_order_rejected')).toBe(false);
    }
  });

  it('refuses counts that are not exact non-negative integers, and files that are not k6 data', () => {
    for (const count of [1.5, -1, '3', 2 ** 53 + 2]) {
      const s = parseRunSummary({ metrics: { m: { values: { count } } } }, 'x');
      expect(() => s.counter('m')).toThrow(/not a non-negative integer/);
    }
    expect(() => parseRunSummary({ hello: 1 }, 'x')).toThrow(/no "metrics"/);
  });
});

describe('exactness', () => {
  it('bigint/numeric from PostgreSQL: numbers only when safe, else the exact string', () => {
    expect(parseDbInteger('-650')).toBe(-650);
    expect(parseDbInteger('9007199254740993')).toBe('9007199254740993');
    expect(parseDbInteger('12.50')).toBe('12.50');
  });

  it('JUnit text is escaped, including characters XML cannot carry', () => {
    expect(escapeMarkup(`<a b="c">&'\u0001`)).toBe('&lt;a b=&quot;c&quot;&gt;&amp;&apos;\uFFFD');
  });
});
