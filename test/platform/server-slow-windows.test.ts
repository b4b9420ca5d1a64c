// Slow windows: the target picks up the file the orchestrator writes once t0 is known, slows
// only requests arriving inside a window, and keeps what it had when the file is wrong. The
// CLI's AT+FOR:MS windows land on the run's clock.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/usage-error.js';
import { parseSlowWindows as parseCliWindows, writeSlowWindows } from '../../cli/pipeline/slow-windows.js';
import { parseSlowWindows, SlowWindows } from '../../platform/server/slow-windows.js';
import { sleep } from '../../stack/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'mp-slow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (cond()) return;
    await sleep(50);
  }
  throw new Error(`never: ${what}`);
}

describe('slow windows', () => {
  it('the target slows requests inside a window only, from a file written after it started', async () => {
    const file = join(dir, 'windows.json');
    const warnings: string[] = [];
    const w = SlowWindows.watch(file, (m) => warnings.push(m));
    {
      expect(w.delayAt(Date.now())).toBe(0); // no file yet: never slow
      const t0 = 1_800_000_000_000;
      writeSlowWindows(file, t0, parseCliWindows('10.2+1.1:2500,20+5:800'));
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
        { fromMs: t0 + 10_200, toMs: t0 + 11_300, slowMs: 2500 },
        { fromMs: t0 + 20_000, toMs: t0 + 25_000, slowMs: 800 },
      ]);
      await until(() => w.delayAt(t0 + 10_200) === 2500, 'the file was picked up');
      expect([t0 + 10_199, t0 + 11_299, t0 + 11_300, t0 + 20_000, t0 + 25_000].map((t) => w.delayAt(t))).toEqual([0, 2500, 0, 800, 0]);
      // A wrong file is reported and changes nothing.
      writeFileSync(file, '[{"fromMs": 5, "toMs": 1, "slowMs": 10}]');
      await until(() => w.delayAt(0) === 0 && warnings.length > 0, 'the wrong file was reported');
      expect(w.delayAt(t0 + 10_500)).toBe(2500);
    }
  });

  it('the file format is checked', () => {
    expect(() => parseSlowWindows('{}')).toThrow(/JSON array/);
    expect(() => parseSlowWindows('[{"fromMs":1,"toMs":2,"slowMs":60001}]')).toThrow(/slowMs from 0 to 60000/);
    expect(parseSlowWindows('[]')).toEqual([]);
  });

  it('--slow-window accepts AT+FOR:MS lists and refuses anything else', () => {
    expect(parseCliWindows('10+5:2500')).toEqual([{ atS: 10, forS: 5, slowMs: 2500 }]);
    expect(parseCliWindows('0.5s+2s:100, 30+1:60000')).toEqual([{ atS: 0.5, forS: 2, slowMs: 100 }, { atS: 30, forS: 1, slowMs: 60000 }]);
    for (const bad of ['10:2500', '10+0:2500', '10+5:0', '10+5:60001', '-1+5:100', '10+5', '']) expect(() => parseCliWindows(bad), bad).toThrow(UsageError);
  });
});
