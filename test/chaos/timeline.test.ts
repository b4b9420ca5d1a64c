import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/usage-error.js';
import { DEFAULT_TIMELINE } from '../../chaos/default-timeline.js';
import { defaultTimeline, loadTimelineFile, parseFaultList, parseTimelineJson, TimelineError, timelineFromOption, validateTimeline, windowsOfKind } from '../../chaos/timeline.js';

/** The TimelineError's problems for an input that must be rejected. */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TimelineError);
    return (err as TimelineError).problems;
  }
  throw new Error('expected a TimelineError');
}

describe('default timeline', () => {
  it('is valid, pilot-shaped (20 min), and declares every kind', () => {
    const t = defaultTimeline();
    expect(t.durationS).toBe(1200);
    expect(t.windows).toHaveLength(DEFAULT_TIMELINE.length);
    expect(windowsOfKind(t, 'toxic').map((w) => w.fault)).toEqual(['db-latency', 'db-reset', 'db-timeout', 'db-bandwidth']);
    expect(windowsOfKind(t, 'client').map((w) => w.fault)).toEqual(
      ['webhook-delay', 'webhook-dup', 'webhook-reorder', 'bad-signature', 'scanner-offline', 'concession-offline']);
    expect(windowsOfKind(t, 'process').map((w) => w.fault)).toEqual(['target-crash']);
    // no two windows overlap: each recovery belongs to one fault
    for (let i = 1; i < t.windows.length; i++) {
      const prev = t.windows[i - 1]!;
      expect(t.windows[i]!.startS).toBeGreaterThanOrEqual(prev.startS + prev.durationS);
    }
    expect(t.windows[0]).toEqual({ fault: 'db-latency', kind: 'toxic', startS: 120, durationS: 60, params: { latency: 500, jitter: 100, toxicity: 1, stream: 'downstream' } });
  });

  it('scales to a shorter run', () => {
    const t = defaultTimeline(60);
    expect(t.durationS).toBe(60);
    expect(t.windows[0]).toMatchObject({ fault: 'db-latency', startS: 6, durationS: 3 });
    const last = t.windows.at(-1)!;
    expect(last.startS + last.durationS).toBeLessThanOrEqual(60);
  });
});

describe('compact --faults form', () => {
  it('picks named faults from the default timeline (scaled to the run)', () => {
    expect(parseFaultList('db-latency,db-reset', 1200).windows.map((w) => [w.fault, w.startS, w.durationS]))
      .toEqual([['db-latency', 120, 60], ['db-reset', 240, 20]]);
    expect(parseFaultList(' db-reset , db-latency ', 120).windows.map((w) => [w.fault, w.startS, w.durationS]))
      .toEqual([['db-latency', 12, 6], ['db-reset', 24, 2]]);
  });

  it('takes explicit windows, default, and none', () => {
    const t = parseFaultList('db-latency@30+20,db-down@1m+10s,db-slicer@500ms+1.5s', 120);
    expect(t.windows.map((w) => [w.fault, w.kind, w.startS, w.durationS])).toEqual([
      ['db-slicer', 'toxic', 0.5, 1.5], ['db-latency', 'toxic', 30, 20], ['db-down', 'toxic', 60, 10]]);
    expect(parseFaultList('default', 1200).windows).toHaveLength(DEFAULT_TIMELINE.length);
    expect(parseFaultList('none', 10)).toEqual({ durationS: 10, windows: [] });
  });

  it('rejects with clear messages', () => {
    expect(problemsOf(() => parseFaultList('db-lag', 60))[0]).toMatch(/^unknown fault 'db-lag' \(known: db-latency, db-reset, .*target-crash\)$/);
    expect(problemsOf(() => parseFaultList('db-latency,db-latency', 60))).toEqual(["'db-latency' is listed twice"]);
    expect(problemsOf(() => parseFaultList('db-slicer', 60))[0]).toMatch(/'db-slicer' has no window in the default timeline; give it one: db-slicer@START\+DURATION/);
    expect(problemsOf(() => parseFaultList('db-latency@30', 60))[0]).toMatch(/expected db-latency@START\+DURATION/);
    expect(problemsOf(() => parseFaultList('db-latency@soon+5', 60))[0]).toMatch(/'soon' is not a time/);
    expect(problemsOf(() => parseFaultList('db-latency@50+20', 60))).toEqual(["window 1 (db-latency): ends at 70s, after the run's end (60s)"]);
    expect(problemsOf(() => parseFaultList('db-latency@10+20,db-latency@25+5', 60))).toEqual(["fault 'db-latency': windows 10s+20s and 25s+5s overlap"]);
    expect(problemsOf(() => parseFaultList('none,db-reset', 60))).toEqual(["'none' cannot be combined with other faults"]);
    expect(problemsOf(() => parseFaultList(' ', 60))[0]).toMatch(/--faults is empty/);
    expect(problemsOf(() => parseFaultList('db-reset,,db-latency', 60))[0]).toMatch(/empty entry/);
  });
});

describe('JSON form and validation', () => {
  const ok = { fault: 'db-latency', startS: 10, durationS: 5 };

  it('accepts an object or a bare array; fills param defaults; overrides what is given', () => {
    const t = parseTimelineJson(JSON.stringify({ durationS: 60, windows: [{ ...ok, params: { latency: 800, stream: 'upstream' } }, { fault: 'webhook-dup', startS: 0, durationS: 60, params: { rate: 0.5, extra: 'for the load' } }] }));
    expect(t.durationS).toBe(60);
    expect(t.windows).toEqual([
      { fault: 'webhook-dup', kind: 'client', startS: 0, durationS: 60, params: { rate: 0.5, extra: 'for the load' } },
      { fault: 'db-latency', kind: 'toxic', startS: 10, durationS: 5, params: { latency: 800, jitter: 100, toxicity: 1, stream: 'upstream' } },
    ]);
    expect(parseTimelineJson(JSON.stringify([ok]), 30).durationS).toBe(30);
  });

  it('allows different faults to overlap and one fault back to back', () => {
    const t = validateTimeline([ok, { fault: 'db-reset', startS: 12, durationS: 5 }, { fault: 'db-latency', startS: 15, durationS: 5 }], 60);
    expect(t.windows.map((w) => w.fault)).toEqual(['db-latency', 'db-reset', 'db-latency']);
  });

  it('reports each invalid case with its message', () => {
    const bad = (w: object, dur = 60) => problemsOf(() => validateTimeline([w], dur));
    expect(bad({ ...ok, fault: 'db-lag' })[0]).toMatch(/^unknown fault 'db-lag' \(known: /);
    expect(bad({ ...ok, startS: -5 })).toEqual(['window 1 (db-latency): startS must be a number >= 0, got -5']);
    expect(bad({ ...ok, durationS: 0 })).toEqual(['window 1 (db-latency): durationS must be a number > 0, got 0']);
    expect(bad({ ...ok, startS: '10' })).toEqual(['window 1 (db-latency): startS must be a number >= 0, got "10"']);
    expect(bad({ ...ok, startS: 58 })).toEqual(["window 1 (db-latency): ends at 63s, after the run's end (60s)"]);
    expect(bad({ ...ok, params: { latnecy: 5 } })).toEqual(["window 1 (db-latency): unknown param 'latnecy' (known: latency, jitter, toxicity, stream)"]);
    expect(bad({ ...ok, params: { latency: -1 } })[0]).toMatch(/param 'latency' must be an integer between 0 and 600000 \(added delay, ms\), got -1/);
    expect(bad({ ...ok, params: { latency: 2.5 } })[0]).toMatch(/must be an integer/);
    expect(bad({ ...ok, params: { toxicity: 1.5 } })[0]).toMatch(/param 'toxicity' must be a number between 0 and 1/);
    expect(bad({ ...ok, params: { stream: 'sideways' } })[0]).toMatch(/param 'stream' must be one of downstream, upstream, got "sideways"/);
    expect(bad({ fault: 'db-slicer', startS: 0, durationS: 1, params: { average_size: 10, size_variation: 10 } })[0]).toMatch(/size_variation must be smaller than average_size/);
    expect(bad({ fault: 'target-crash', startS: 0, durationS: 1, params: { signal: 'SIGHUP' } })[0]).toMatch(/param 'signal' must be one of SIGKILL, SIGTERM/);
    expect(bad({ fault: 'webhook-dup', startS: 0, durationS: 1, params: { nested: { a: 1 } } })[0]).toMatch(/param 'nested' must be a number, string or boolean/);
    expect(bad({ ...ok, start: 3 })[0]).toMatch(/unknown field 'start' \(fields: fault, startS, durationS, params\)/);
    expect(bad({ ...ok, kind: 'client' })[0]).toMatch(/kind is 'toxic' for this fault, not "client"/);
    expect(problemsOf(() => validateTimeline([ok, { ...ok, startS: 12 }], 60))).toEqual(["fault 'db-latency': windows 10s+5s and 12s+5s overlap"]);
    expect(problemsOf(() => validateTimeline([], 0))[0]).toMatch(/run's duration must be a positive number/);
  });

  it('collects every problem at once, as a UsageError (exit code 2 in the CLI)', () => {
    let err: unknown;
    try {
      validateTimeline([{ ...ok, startS: -1 }, { ...ok, fault: 'nope' }], 60);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as TimelineError).problems).toHaveLength(2);
    expect((err as Error).message).toMatch(/^chaos timeline has 2 problems:\n  - window 1 .*\n  - unknown fault 'nope'/);
  });

  it('rejects malformed documents', () => {
    expect(problemsOf(() => parseTimelineJson('{"windows": [', 60))[0]).toMatch(/^not valid JSON: /);
    expect(problemsOf(() => parseTimelineJson('{"faults": []}', 60))[0]).toMatch(/expected a JSON array of windows/);
    expect(problemsOf(() => parseTimelineJson('{"windows": [], "extra": 1}', 60))[0]).toMatch(/unknown top-level field\(s\) extra/);
    expect(problemsOf(() => parseTimelineJson('[]'))[0]).toMatch(/durationS is missing/);
    expect(problemsOf(() => parseTimelineJson('{"durationS": 300, "windows": []}', 120))[0]).toMatch(/timeline is for a 300s run but this run lasts 120s/);
  });

  it('reads a file, and --faults accepts inline JSON, a .json path, or the compact list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-timeline-'));
    const file = join(dir, 'chaos.json');
    writeFileSync(file, JSON.stringify({ windows: [ok] }));
    expect(loadTimelineFile(file, 60).windows[0]!.fault).toBe('db-latency');
    expect(timelineFromOption(file, 60).windows).toHaveLength(1);
    expect(timelineFromOption(JSON.stringify([ok]), 60).windows).toHaveLength(1);
    expect(timelineFromOption('db-reset', 1200).windows[0]!.fault).toBe('db-reset');
    expect(problemsOf(() => loadTimelineFile(join(dir, 'missing.json'), 60))[0]).toMatch(/cannot read timeline file .*missing\.json: ENOENT/);
    writeFileSync(file, JSON.stringify([{ ...ok, fault: 'x' }]));
    expect(problemsOf(() => loadTimelineFile(file, 60))[0]).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: unknown fault 'x'`));
    rmSync(dir, { recursive: true, force: true });
  });
});
