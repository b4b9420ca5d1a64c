// Provisioning of the external binaries the suite drives for real.
// Toxiproxy (MIT): explicit env var, then PATH (if new enough), then our cache, else build the
// pinned version from source with the machine's Go and cache it. Never downloads a prebuilt binary.
// k6 (AGPL-3.0): only ever the user's own binary (K6_BINARY or PATH); moshpit never builds,
// downloads or caches it, because the project takes on no AGPL dependency in any form.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { cacheDir } from '../stack/paths.js';
import { exec, which } from '../stack/exec.js';
import { withLock } from '../stack/lock.js';
import { withProgress } from '../stack/progress.js';

export interface GoTool {
  name: string;
  /** Module to fetch, and the version pinned for this suite. */
  module: string;
  version: string;
  /** SPDX id of the module's own licence; the licence gate (build/licence-gate.ts) checks it. */
  licence: string;
  /** Package path of the main package to build. */
  pkg: string;
  /** File name we give the built binary. */
  binary: string;
  /** Env var that overrides everything, e.g. TOXIPROXY_BINARY. */
  envVar: string;
  /** Names to look for on PATH. */
  pathNames: string[];
  versionArgs: string[];
  /** Extra -ldflags, e.g. to stamp the version into binaries that default to "git". */
  ldflags?: string;
}

export const TOXIPROXY: GoTool = {
  name: 'toxiproxy',
  module: 'github.com/Shopify/toxiproxy/v2',
  version: '2.12.0',
  licence: 'MIT',
  pkg: 'github.com/Shopify/toxiproxy/v2/cmd/server', // `go install` would name it `server`
  binary: 'toxiproxy-server',
  envVar: 'TOXIPROXY_BINARY',
  pathNames: ['toxiproxy-server'],
  versionArgs: ['--version'],
  ldflags: '-X github.com/Shopify/toxiproxy/v2.Version=2.12.0',
};

/** Every Go module the toolchain may build; the licence gate checks each one. */
export const GO_TOOLS: readonly GoTool[] = [TOXIPROXY];

export interface ResolvedTool { path: string; version: string; source: 'env' | 'path' | 'cache' | 'built' }

export class ToolUnavailable extends Error {}

/** Where to get k6, and why moshpit doesn't ship it. */
export const K6_INSTALL_HINT = [
  'k6 is optional, and moshpit never downloads, builds or ships it: k6 is licensed AGPL-3.0,',
  'and moshpit takes on no AGPL dependency. To use it, install k6 through Grafana\'s own channels',
  '(https://grafana.com/docs/k6/latest/set-up/install-k6/):',
  '  - Debian/Ubuntu or Fedora/RHEL: Grafana\'s apt or dnf repository, then apt-get/dnf install k6',
  '  - macOS: brew install k6',
  '  - Windows: winget install k6 --source winget, or choco install k6',
  '  - Docker: the grafana/k6 image',
  '  - a release binary from https://github.com/grafana/k6/releases',
  'then put k6 on PATH, or set K6_BINARY=/path/to/k6.',
].join('\n');

/** `k6 version` normally answers in tens of milliseconds; this only bounds a hung binary. */
const K6_VERSION_TIMEOUT_MS = 5_000;

export function parseVersion(text: string): string | null {
  return /v?(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? null;
}

export function versionAtLeast(have: string, want: string): boolean {
  const a = have.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

async function probeVersion(tool: GoTool, path: string): Promise<string | null> {
  const r = await exec(path, tool.versionArgs, { check: false }).catch(() => null);
  return r ? parseVersion(`${r.stdout}\n${r.stderr}`) : null;
}

function isExecutableFile(path: string): boolean {
  try { accessSync(path, constants.X_OK); return statSync(path).isFile(); } catch { return false; }
}

function findOnPath(names: string[], pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      if (isExecutableFile(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}

/**
 * The user's own k6: $K6_BINARY if set (an error if it isn't an executable file), else `k6` on
 * PATH, else null. Only looks and asks `k6 version`; never builds, downloads or caches anything.
 */
export function findUserK6(env: NodeJS.ProcessEnv = process.env): { path: string; version: string } | null {
  let path: string | null;
  if (env.K6_BINARY) {
    if (!isExecutableFile(env.K6_BINARY)) {
      throw new ToolUnavailable(`K6_BINARY=${env.K6_BINARY} is not an executable file; point it at your k6 binary, or unset it.\n${K6_INSTALL_HINT}`);
    }
    path = env.K6_BINARY;
  } else {
    path = findOnPath(process.platform === 'win32' ? ['k6.exe', 'k6'] : ['k6'], env.PATH);
    if (!path) return null;
  }
  const r = spawnSync(path, ['version'], { env, encoding: 'utf8', timeout: K6_VERSION_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  const version = r.error ? null : parseVersion(`${r.stdout}\n${r.stderr}`);
  if (!version) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}: ${`${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? ''}`;
    throw new ToolUnavailable(`'${path} version' did not report a k6 version (${why}); is ${path} really k6?`);
  }
  return { path, version };
}

export function cachedToolPath(tool: GoTool): string {
  return join(cacheDir(), 'tools', `${tool.name}-${tool.version}`, tool.binary);
}

export async function resolveTool(tool: GoTool, opts: { build?: boolean } = {}): Promise<ResolvedTool> {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) throw new ToolUnavailable(`${tool.envVar}=${fromEnv} is not an executable file`);
    return { path: fromEnv, version: (await probeVersion(tool, fromEnv)) ?? 'unknown', source: 'env' };
  }
  for (const name of tool.pathNames) {
    const onPath = await which(name);
    if (!onPath) continue;
    const v = await probeVersion(tool, onPath);
    if (v && versionAtLeast(v, tool.version)) return { path: onPath, version: v, source: 'path' };
  }
  const cached = cachedToolPath(tool);
  if (isExecutableFile(cached)) return { path: cached, version: tool.version, source: 'cache' };
  if (opts.build === false) throw new ToolUnavailable(`${tool.name} ${tool.version} is not installed (run: npx moshpit toolchain)`);
  return withLock(join(cacheDir(), 'tools'), tool.name, async () => {
    if (isExecutableFile(cached)) return { path: cached, version: tool.version, source: 'cache' as const };
    await buildWithGo(tool, cached);
    return { path: cached, version: tool.version, source: 'built' as const };
  }, 30 * 60_000);
}

function noGoMessage(tool: GoTool): string {
  return (
    `${tool.name} ${tool.version} was not found (checked $${tool.envVar}, PATH, ${cachedToolPath(tool)}) and Go is not installed to build it.\n` +
    `Either:\n` +
    `  - install Go >= 1.22 (https://go.dev/doc/install, or: sudo apt-get install golang) and re-run; moshpit builds ${tool.name} from source once and caches it, or\n` +
    `  - install ${tool.name} yourself and put it on PATH, or set ${tool.envVar}=/path/to/${tool.binary}.`
  );
}

/**
 * `go install module@version` equivalent. We build inside a throwaway module instead, because
 * `go install pkg@version` also looks up deprecation notices through the module's vanity
 * import path, which fails on networks that reach only the module proxy.
 */
async function buildWithGo(tool: GoTool, target: string): Promise<void> {
  // Only modules listed in GO_TOOLS are built, so the licence gate sees everything we build.
  if (!GO_TOOLS.some((t) => t.module === tool.module && t.version === tool.version)) {
    throw new ToolUnavailable(`${tool.module}@v${tool.version} is not in GO_TOOLS; moshpit builds only modules the licence gate checks`);
  }
  const go = await which('go');
  if (!go) throw new ToolUnavailable(noGoMessage(tool));
  const work = join(cacheDir(), 'tools', `.build-${tool.name}-${tool.version}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const goEnv = (await exec(go, ['env', 'GOPROXY'])).stdout.trim();
  const proxyOnly = goEnv.replace(/[,|]direct$/, '');
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', ...(proxyOnly ? { GOPROXY: proxyOnly } : {}) };
  await withProgress(`building ${tool.name} v${tool.version} from source with Go (first run only, takes a few minutes)`, async () => {
    writeFileSync(join(work, 'go.mod'), `module moshpit.local/build-${tool.name}\n\ngo 1.22\n`);
    await exec(go, ['get', `${tool.module}@v${tool.version}`], { cwd: work, env });
    const tmp = `${target}.tmp-${process.pid}`;
    mkdirSync(join(target, '..'), { recursive: true });
    await exec(go, ['build', '-trimpath', ...(tool.ldflags ? ['-ldflags', tool.ldflags] : []), '-o', tmp, tool.pkg], { cwd: work, env });
    renameSync(tmp, target);
  });
  rmSync(work, { recursive: true, force: true });
  if (!existsSync(target)) throw new ToolUnavailable(`building ${tool.name} produced no binary at ${target}`);
}
