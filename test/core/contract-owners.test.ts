// One owner per contract: each shared contract is written in one file of core/, and a copy of
// it anywhere else in the sources fails this test, naming the file and line. (The Grafana
// dashboards and bench/ are left out of the metric-name rules until they name metrics through
// core/metric-names.ts.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../stack/paths.js';

const SOURCE_DIRS = ['bench', 'bin', 'build', 'chaos', 'cli', 'core', 'lib', 'monitoring', 'platform', 'scenarios', 'seed', 'stack', 'validate'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mjs|cjs)$/.test(name)) out.push(path);
  }
  return out;
}

const FILES = SOURCE_DIRS.flatMap((d) => sourceFiles(join(projectRoot, d))).map((f) => ({
  file: relative(projectRoot, f),
  lines: readFileSync(f, 'utf8').split('\n'),
}));

/** Lines outside `owner` (and `allowed`) that match `copy`, comments skipped. */
function copiesOf(copy: RegExp, owner: string, allowed: string[] = []): string[] {
  const hits: string[] = [];
  for (const { file, lines } of FILES) {
    if (file === owner || allowed.some((a) => file.startsWith(a))) continue;
    lines.forEach((line, i) => {
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
      if (copy.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

describe('one owner per contract', () => {
  it('reads the sources', () => {
    expect(FILES.length).toBeGreaterThan(200);
    expect(FILES.some((f) => f.file === 'core/loopback.ts')).toBe(true);
  });

  const RULES: Array<{ contract: string; owner: string; copy: RegExp; allowed?: string[] }> = [
    { contract: 'target kind', owner: 'core/target-kind.ts', copy: /'rest' \| 'supabase'|'supabase' \| 'rest'|\['rest', 'supabase'\]/ },
    { contract: 'loopback rule', owner: 'core/loopback.ts', copy: /127\\\.|'::1'|'\[::1\]'/ },
    { contract: 'markup escaping', owner: 'core/escape.ts', copy: /&amp;|&quot;|&#39;|&apos;/ },
    { contract: 'percentile', owner: 'core/percentile.ts', copy: /Math\.ceil\([^)]*\* *(h\.)?n\b|\(p \/ 100\) \* \(n - 1\)/ },
    { contract: 'metric names', owner: 'core/metric-names.ts', copy: /`moshpit_\$\{|'moshpit_(db|festival|verdict|checks|thresholds|annotations)'/, allowed: ['monitoring/grafana/'] },
    { contract: 'engine metric names', owner: 'core/metric-names.ts', copy: /'(http_req_duration|http_req_failed|http_reqs|dropped_iterations)'/, allowed: ['monitoring/grafana/', 'bench/'] },
    { contract: 'results-folder layout', owner: 'core/results-layout.ts', copy: /'(summary\.json|summary\.txt|summary\.md|junit\.xml|metadata\.json|preflight\.json|validation\.json|validation-junit\.xml|chaos-windows\.json|chaos-report\.json|influx\.json|db-monitor\.json|request-log\.json|report\.html|report\.md|LATEST)'/ },
    { contract: 'fixture manifest', owner: 'core/fixture-manifest.ts', copy: /interface \w*Manifest\b|interface FestivalSettings\b|'(manifest|wallets|products|terminals|gateways)\.json'/ },
    { contract: 'exit codes', owner: 'core/exit-codes.ts', copy: /\b(exit|code)\)? *(===|!==) *(99|105|107|130)\b|exit\((99|130)\)|= (99|105|107);/ },
    { contract: 'fault kinds and client-fault defaults', owner: 'core/faults.ts', copy: /'toxic' \| 'client'|numberParam\(/ },
    { contract: 'usage error', owner: 'core/usage-error.ts', copy: /class UsageError\b/ },
  ];
  for (const rule of RULES) {
    it(`${rule.contract}: only in ${rule.owner}`, () => {
      expect(FILES.some((f) => f.file === rule.owner), `${rule.owner} exists`).toBe(true);
      expect(copiesOf(rule.copy, rule.owner, rule.allowed)).toEqual([]);
    });
  }

  it('catches a copy (the check can fail)', () => {
    expect(copiesOf(/export function isLoopbackHost/, 'nowhere.ts')).toEqual([expect.stringMatching(/^core\/loopback\.ts:\d+:/)]);
  });

  it('imports run forward: chaos/ and monitoring/ never import cli/, bench/ never imports test/', () => {
    const backward = FILES.filter(({ file }) => /^(chaos|monitoring|core|lib|validate|seed|stack|platform)\//.test(file) || file.startsWith('bench/'))
      .flatMap(({ file, lines }) => lines
        .filter((l) => /^import .* from '[^']*\/(cli|test)\//.test(l) && !(file.startsWith('bench/') && /\/cli\//.test(l)))
        .map((l) => `${file}: ${l}`));
    expect(backward).toEqual([]);
  });
});
