// `moshpit licences [--list]`: the licence gate over node_modules and the toolchain's Go modules.
import { join, relative } from 'node:path';
import { GO_TOOLS } from '../../build/toolchain.js';
import { ALLOW_LIST_FILE, checkGoModules, checkInstalledLicences, loadAllowList, type LicenceReport } from '../../build/licence-gate.js';
import { projectRoot } from '../../stack/paths.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';

function print(title: string, r: LicenceReport, list: boolean): void {
  process.stdout.write(`${title}: ${r.checked} checked, ${r.failures.length} failing, ${r.excepted.length} by exception\n`);
  if (list) {
    for (const [licence, n] of Object.entries(r.byLicence).sort((a, b) => b[1] - a[1])) {
      process.stdout.write(`  ${String(n).padStart(5)}  ${licence}\n`);
    }
  }
  for (const e of r.excepted) process.stdout.write(`  excepted  ${e.id}  ${e.licence ?? '(none)'}: ${e.reason}\n`);
  for (const f of r.failures) process.stdout.write(`  FAIL      ${f.id}  ${f.reason}  (${relative(projectRoot, f.where) || f.where})\n`);
}

const command: Command = {
  summary: 'licence gate: fail on any installed package or built Go module outside licences/allowed.json',
  usage: [
    'usage: moshpit licences [--list]',
    '',
    '  Checks every package under node_modules (scoped and nested too) and every Go module the',
    '  toolchain builds against the allow-list in licences/allowed.json. Exit 1 on any failure.',
    '  --list   also print how many packages carry each licence',
  ].join('\n'),
  async run(argv) {
    const unknown = argv.filter((a) => a !== '--list');
    if (unknown.length > 0) throw new UsageError(`unknown argument ${unknown.join(' ')}`);
    const allowList = loadAllowList();
    const npm = checkInstalledLicences(join(projectRoot, 'node_modules'), allowList);
    const go = checkGoModules(GO_TOOLS, allowList);
    print('npm packages', npm, argv.includes('--list'));
    print('Go modules', go, argv.includes('--list'));
    const used = new Set([...npm.excepted, ...go.excepted].map((e) => e.id));
    const stale = allowList.exceptions.filter((e) => !used.has(e.package));
    for (const e of stale) process.stdout.write(`  note: exception ${e.package} matched nothing; remove it from ${relative(projectRoot, ALLOW_LIST_FILE)}\n`);
    const failed = npm.failures.length + go.failures.length;
    process.stdout.write(failed === 0 ? 'licence gate: pass\n' : `licence gate: FAIL (${failed})\n`);
    return failed === 0 ? 0 : 1;
  },
};
export default command;
