// The licence gate: every installed npm package and every Go module the toolchain builds must
// carry a licence from the allow-list in licences/allowed.json. Checked by `npm run licences`
// and by test/licences/licence-gate.test.ts, so `npm test` fails when a dependency brings one in.
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../stack/paths.js';

export interface LicenceException {
  /** name@version (npm) or module@vX.Y.Z (Go). */
  package: string;
  /** The exact licence string the package declares (null: declares none). */
  licence: string | null;
  reason: string;
}

export interface ForbiddenFamily { prefix: string; reason: string }

export interface AllowList {
  /** SPDX ids. */
  allowed: string[];
  /** Id prefixes (AGPL, GPL, ...) that no allow-list entry or exception can admit. */
  forbidden: ForbiddenFamily[];
  exceptions: LicenceException[];
}

export interface CheckedPackage {
  /** name@version, or module@vX.Y.Z. */
  id: string;
  licence: string | null;
  /** Directory of the package, or the Go module path. */
  where: string;
}

export interface LicenceFailure extends CheckedPackage { reason: string }

export interface LicenceReport {
  checked: number;
  /** Packages per declared licence string. */
  byLicence: Record<string, number>;
  /** Packages admitted only by an exception, with its reason. */
  excepted: (CheckedPackage & { reason: string })[];
  failures: LicenceFailure[];
  /** Exceptions that matched no package: stale, delete them. */
  unusedExceptions: LicenceException[];
}

export const ALLOW_LIST_FILE = join(projectRoot, 'licences', 'allowed.json');

export function loadAllowList(file = ALLOW_LIST_FILE): AllowList {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<AllowList>;
  const list: AllowList = { allowed: raw.allowed ?? [], forbidden: raw.forbidden ?? [], exceptions: raw.exceptions ?? [] };
  const bad = list.allowed.filter((id) => forbiddenFamily(id, list));
  if (bad.length > 0) throw new Error(`${file}: allowed lists forbidden licence(s) ${bad.join(', ')}`);
  for (const e of list.exceptions) {
    if (!e.package || !/.@./.test(e.package) || !e.reason?.trim() || e.licence === undefined) {
      throw new Error(`${file}: exception ${JSON.stringify(e)} needs package (name@version), licence (string or null) and a reason`);
    }
  }
  return list;
}

// ---- SPDX expressions ------------------------------------------------------------------

type Expr =
  | { op: 'id'; id: string; with?: string }
  | { op: 'and' | 'or'; args: Expr[] };

export class SpdxSyntaxError extends Error {}

/** Parses an SPDX licence expression: ids (with optional +), WITH, AND, OR, parentheses. */
export function parseSpdx(text: string): Expr {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const peekKeyword = (): string | undefined => tokens[i]?.toUpperCase();
  const fail = (what: string): never => { throw new SpdxSyntaxError(`'${text}' is not an SPDX expression (${what})`); };
  const atom = (): Expr => {
    const t = tokens[i++];
    if (t === undefined) return fail('unexpected end');
    if (t === '(') {
      const e = or();
      if (tokens[i++] !== ')') fail('missing )');
      return e;
    }
    if (t === ')' || ['AND', 'OR', 'WITH'].includes(t.toUpperCase())) return fail(`unexpected '${t}'`);
    if (!/^[A-Za-z0-9.+-]+$/.test(t) && !/^(Document|Licen[cs]e)Ref-/.test(t)) fail(`bad id '${t}'`);
    if (peekKeyword() === 'WITH') {
      i++;
      const w = tokens[i++];
      if (!w || w === '(' || w === ')') fail('WITH needs an exception id');
      return { op: 'id', id: t, with: w };
    }
    return { op: 'id', id: t };
  };
  const and = (): Expr => {
    const args = [atom()];
    while (peekKeyword() === 'AND') { i++; args.push(atom()); }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const or = (): Expr => {
    const args = [and()];
    while (peekKeyword() === 'OR') { i++; args.push(and()); }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };
  const e = or();
  if (i < tokens.length) fail(`unexpected '${tokens[i]}'`);
  return e;
}

function evaluate(e: Expr, ok: (id: string, withException?: string) => boolean): boolean {
  if (e.op === 'id') return ok(e.id, e.with);
  return e.op === 'and' ? e.args.every((a) => evaluate(a, ok)) : e.args.some((a) => evaluate(a, ok));
}

/** "GPL-2.0+" means that version or later: judge it by its base id. */
const baseId = (id: string): string => id.replace(/\+$/, '').toUpperCase();

function forbiddenFamily(id: string, list: Pick<AllowList, 'forbidden'>): ForbiddenFamily | undefined {
  return list.forbidden.find((f) => baseId(id).startsWith(f.prefix.toUpperCase()));
}

/** True when the expression can be satisfied with allow-listed licences only. */
export function licenceAllowed(expression: string, list: Pick<AllowList, 'allowed' | 'forbidden'>): boolean {
  const allowed = new Set(list.allowed.map(baseId));
  return evaluate(parseSpdx(expression), (id, w) => {
    if (forbiddenFamily(id, list)) return false;
    // A WITH exception only grants extra permissions, so an allowed base id stays allowed.
    return allowed.has(baseId(id)) || (w !== undefined && allowed.has(`${baseId(id)} WITH ${w.toUpperCase()}`));
  });
}

/** True when some reading of the expression avoids every forbidden family (what an exception may admit). */
function admissibleByException(expression: string | null, list: AllowList): boolean {
  if (expression === null) return true;
  try {
    return evaluate(parseSpdx(expression), (id) => !forbiddenFamily(id, list));
  } catch {
    return true; // free text ("SEE LICENSE IN ..."): a human judged it when writing the exception
  }
}

// ---- package.json ------------------------------------------------------------------------

type LicenceField = string | { type?: string } | undefined;

/** The declared licence of a package.json: `license` (string or legacy {type}), or legacy `licenses: [{type}]` (alternatives). */
export function declaredLicence(pkg: { license?: LicenceField; licenses?: LicenceField[] | LicenceField }): string | null {
  const one = (f: LicenceField): string | null => {
    const s = typeof f === 'string' ? f : typeof f?.type === 'string' ? f.type : null;
    return s && s.trim() ? s.trim() : null;
  };
  const direct = one(pkg.license);
  if (direct) return direct;
  const legacy = (Array.isArray(pkg.licenses) ? pkg.licenses : [pkg.licenses]).map(one).filter((s): s is string => s !== null);
  if (legacy.length === 0) return null;
  return legacy.length === 1 ? legacy[0]! : `(${legacy.join(' OR ')})`;
}

function judge(items: CheckedPackage[], list: AllowList): LicenceReport {
  const report: LicenceReport = { checked: items.length, byLicence: {}, excepted: [], failures: [], unusedExceptions: [] };
  const used = new Set<LicenceException>();
  for (const item of items) {
    const key = item.licence ?? '(none)';
    report.byLicence[key] = (report.byLicence[key] ?? 0) + 1;
    let reason: string | null;
    if (item.licence === null) reason = 'declares no licence';
    else if (/^UNLICENSED$/i.test(item.licence)) reason = 'is UNLICENSED (proprietary)';
    else if (/^SEE LICEN[CS]E IN /i.test(item.licence)) reason = `declares '${item.licence}', which the gate cannot judge`;
    else {
      try {
        reason = licenceAllowed(item.licence, list) ? null : `licence '${item.licence}' is not in the allow-list`;
      } catch (err) {
        reason = (err as Error).message;
      }
    }
    if (reason === null) continue;
    const exception = list.exceptions.find((e) => e.package === item.id && e.licence === item.licence);
    if (exception && admissibleByException(item.licence, list)) {
      used.add(exception);
      report.excepted.push({ ...item, reason: exception.reason });
      continue;
    }
    if (exception) reason += ' (a forbidden licence: exceptions cannot admit it)';
    report.failures.push({ ...item, reason });
  }
  report.unusedExceptions = list.exceptions.filter((e) => !used.has(e));
  return report;
}

/** Every package under node_modules, including scoped and nested node_modules. */
export function installedPackages(nodeModulesDir: string): CheckedPackage[] {
  const out: CheckedPackage[] = [];
  const seen = new Set<string>();
  const isDir = (p: string): boolean => { try { return statSync(p).isDirectory(); } catch { return false; } };
  const visitPackage = (dir: string): void => {
    const real = realpathSync(dir);
    if (seen.has(real)) return; // symlinked workspaces/pnpm stores: once each
    seen.add(real);
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      let pkg: { name?: string; version?: string; license?: LicenceField; licenses?: LicenceField[] };
      try { pkg = JSON.parse(readFileSync(file, 'utf8')); } catch (err) { throw new Error(`${file}: ${(err as Error).message}`); }
      out.push({ id: `${pkg.name ?? dir}@${pkg.version ?? '?'}`, licence: declaredLicence(pkg), where: dir });
    }
    visitModules(join(dir, 'node_modules'));
  };
  const visitModules = (nm: string): void => {
    if (!isDir(nm)) return;
    for (const name of readdirSync(nm).sort()) {
      if (name.startsWith('.')) continue; // .bin, .package-lock.json, caches
      const p = join(nm, name);
      if (!isDir(p)) continue;
      if (name.startsWith('@')) {
        for (const sub of readdirSync(p).sort()) if (isDir(join(p, sub))) visitPackage(join(p, sub));
      } else {
        visitPackage(p);
      }
    }
  };
  visitModules(nodeModulesDir);
  return out;
}

export function checkInstalledLicences(nodeModulesDir: string, allowList: AllowList = loadAllowList()): LicenceReport {
  if (!isDirectory(nodeModulesDir)) throw new Error(`${nodeModulesDir} does not exist; run npm install first`);
  return judge(installedPackages(nodeModulesDir), allowList);
}

function isDirectory(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/** The Go modules the toolchain builds (build/toolchain.ts GO_TOOLS), by the licence recorded with each. */
export function checkGoModules(
  modules: readonly { module: string; version: string; licence: string | null }[],
  allowList: AllowList = loadAllowList(),
): LicenceReport {
  return judge(modules.map((m) => ({ id: `${m.module}@v${m.version}`, licence: m.licence, where: m.module })), allowList);
}
