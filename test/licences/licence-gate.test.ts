// The licence gate over the real node_modules, fixture trees, SPDX expressions and the Go modules.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkGoModules, checkInstalledLicences, declaredLicence, licenceAllowed, loadAllowList, type AllowList,
} from '../../build/licence-gate.js';
import { GO_TOOLS } from '../../build/toolchain.js';
import { projectRoot } from '../../stack/paths.js';

const allowList = loadAllowList();

/** Writes node_modules/<path>/package.json for each entry, into a fresh temp dir. */
function fixtureTree(pkgs: Record<string, Record<string, unknown>>): string {
  const nm = join(mkdtempSync(join(tmpdir(), 'mp-lic-')), 'node_modules');
  for (const [path, json] of Object.entries(pkgs)) {
    const file = join(nm, path, 'package.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(json));
  }
  return nm;
}

describe('licence gate', () => {
  it('today\'s real node_modules passes', () => {
    const r = checkInstalledLicences(join(projectRoot, 'node_modules'), allowList);
    expect(r.failures).toEqual([]);
    expect(r.checked).toBeGreaterThan(400); // artillery and its tree are in there
    expect(r.unusedExceptions).toEqual([]);
  });

  it('an AGPL package fails, named, even when nested under a scoped package', () => {
    const nm = fixtureTree({
      'ok': { name: 'ok', version: '1.0.0', license: 'MIT' },
      '@scope/host': { name: '@scope/host', version: '2.0.0', license: 'Apache-2.0' },
      '@scope/host/node_modules/evil-engine': { name: 'evil-engine', version: '3.1.4', license: 'AGPL-3.0-only' },
    });
    const r = checkInstalledLicences(nm, allowList);
    expect(r.checked).toBe(3);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ id: 'evil-engine@3.1.4', licence: 'AGPL-3.0-only' });
    expect(r.failures[0]!.reason).toMatch(/AGPL-3\.0-only/);
  });

  it('a package with no licence fails, and so do UNLICENSED and SEE LICENSE IN', () => {
    const nm = fixtureTree({
      'bare': { name: 'bare', version: '0.1.0' },
      'closed': { name: 'closed', version: '1.0.0', license: 'UNLICENSED' },
      'custom': { name: 'custom', version: '1.0.0', license: 'SEE LICENSE IN LICENSE.md' },
    });
    const r = checkInstalledLicences(nm, allowList);
    expect(r.failures.map((f) => f.id).sort()).toEqual(['bare@0.1.0', 'closed@1.0.0', 'custom@1.0.0']);
    expect(r.failures.find((f) => f.id === 'bare@0.1.0')!.reason).toMatch(/no licence/);
  });

  it('an exception with a reason admits a package, but never a forbidden licence', () => {
    const nm = fixtureTree({
      'custom': { name: 'custom', version: '1.0.0', license: 'SEE LICENSE IN LICENSE.md' },
      'lgpl-lib': { name: 'lgpl-lib', version: '1.0.0', license: 'LGPL-3.0-only' },
      'evil': { name: 'evil', version: '1.0.0', license: 'AGPL-3.0-only' },
    });
    const list: AllowList = {
      ...allowList,
      exceptions: [
        { package: 'custom@1.0.0', licence: 'SEE LICENSE IN LICENSE.md', reason: 'LICENSE.md is MIT text' },
        { package: 'lgpl-lib@1.0.0', licence: 'LGPL-3.0-only', reason: 'test' },
        { package: 'evil@1.0.0', licence: 'AGPL-3.0-only', reason: 'test' },
        { package: 'gone@9.9.9', licence: 'MIT', reason: 'test' },
      ],
    };
    const r = checkInstalledLicences(nm, list);
    expect(r.excepted.map((e) => e.id).sort()).toEqual(['custom@1.0.0', 'lgpl-lib@1.0.0']);
    expect(r.failures.map((f) => f.id)).toEqual(['evil@1.0.0']);
    expect(r.failures[0]!.reason).toMatch(/exceptions cannot admit/);
    expect(r.unusedExceptions.map((e) => e.package)).toEqual(['evil@1.0.0', 'gone@9.9.9']);
  });

  it('SPDX expressions: OR needs one allowed alternative, AND needs all', () => {
    expect(licenceAllowed('(MIT OR GPL-3.0)', allowList)).toBe(true);
    expect(licenceAllowed('(MIT AND GPL-3.0)', allowList)).toBe(false);
    expect(licenceAllowed('(MIT AND Zlib)', allowList)).toBe(true);
    expect(licenceAllowed('(BSD-2-Clause OR MIT OR Apache-2.0)', allowList)).toBe(true);
    expect(licenceAllowed('MIT OR (GPL-2.0 AND Apache-2.0)', allowList)).toBe(true);
    expect(licenceAllowed('GPL-2.0 OR (LGPL-3.0 AND MIT)', allowList)).toBe(false);
    expect(licenceAllowed('Apache-2.0 WITH LLVM-exception', allowList)).toBe(true);
    expect(licenceAllowed('LGPL-2.1-or-later', allowList)).toBe(false);
    expect(licenceAllowed('SSPL-1.0', allowList)).toBe(false);
    expect(licenceAllowed('BUSL-1.1', allowList)).toBe(false);
    expect(() => licenceAllowed('MIT AND', allowList)).toThrow(/not an SPDX expression/);

    const nm = fixtureTree({
      'dual': { name: 'dual', version: '1.0.0', license: '(MIT OR GPL-3.0)' },
      'both': { name: 'both', version: '1.0.0', license: '(MIT AND GPL-3.0)' },
    });
    expect(checkInstalledLicences(nm, allowList).failures.map((f) => f.id)).toEqual(['both@1.0.0']);
  });

  it('reads the legacy licence fields', () => {
    expect(declaredLicence({ license: { type: 'ISC' } })).toBe('ISC');
    expect(declaredLicence({ licenses: [{ type: 'MIT' }] })).toBe('MIT');
    expect(declaredLicence({ licenses: [{ type: 'MIT' }, { type: 'GPL-2.0' }] })).toBe('(MIT OR GPL-2.0)');
    expect(declaredLicence({ license: '  ' })).toBeNull();
    expect(declaredLicence({})).toBeNull();
  });

  it('the toolchain\'s Go modules pass, and none of them is k6', () => {
    expect(GO_TOOLS.length).toBeGreaterThan(0);
    const r = checkGoModules(GO_TOOLS, allowList);
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(GO_TOOLS.length);
    for (const tool of GO_TOOLS) {
      // k6's module host, and its GitHub home: moshpit never builds k6 (AGPL-3.0).
      expect(tool.module).not.toMatch(/(^|\.)k6\.io\//);
      expect(tool.module).not.toMatch(/grafana\/k6/);
    }
    expect(checkGoModules([{ module: 'example.com/agpl-thing', version: '1.0.0', licence: 'AGPL-3.0-only' }], allowList).failures)
      .toHaveLength(1);
  });

  it('the allow-list admits none of the forbidden families', () => {
    for (const id of ['AGPL-3.0-only', 'GPL-3.0-or-later', 'GPL-2.0+', 'SSPL-1.0', 'BUSL-1.1']) {
      expect(licenceAllowed(id, allowList)).toBe(false);
    }
    expect(() => loadAllowList(writeTemp({ allowed: ['MIT', 'AGPL-3.0'], forbidden: allowList.forbidden, exceptions: [] })))
      .toThrow(/forbidden/);
    expect(() => loadAllowList(writeTemp({ allowed: ['MIT'], forbidden: [], exceptions: [{ package: 'x@1', licence: null, reason: '' }] })))
      .toThrow(/reason/);
  });
});

function writeTemp(json: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mp-lic-list-')), 'allowed.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}
