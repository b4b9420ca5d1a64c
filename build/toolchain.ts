// Provisioning of the Go-built tools the suite drives for real: k6 and Toxiproxy.
// Resolution order per tool: explicit env var, then PATH (if new enough), then our cache,
// else build the pinned version from source with the machine's Go and cache it.
// Never downloads a prebuilt binary.
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../stack/paths.js';
import { exec, which } from '../stack/exec.js';
import { withLock } from '../stack/lock.js';
import { withProgress } from '../stack/progress.js';

export interface GoTool {
  name: string;
  /** Module to fetch, and the version pinned for this suite. */
  module: string;
  version: string;
  /** Package path of the main package to build. */
  pkg: string;
  /** File name we give the built binary. */
  binary: string;
  /** Env var that overrides everything, e.g. K6_BINARY. */
  envVar: string;
  /** Names to look for on PATH. */
  pathNames: string[];
  versionArgs: string[];
  /** Extra -ldflags, e.g. to stamp the version into binaries that default to "git". */
  ldflags?: string;
}

export const K6: GoTool = {
  name: 'k6',
  module: 'go.k6.io/k6/v2',
  version: '2.2.0',
  pkg: 'go.k6.io/k6/v2',
  binary: 'k6',
  envVar: 'K6_BINARY',
  pathNames: ['k6'],
  versionArgs: ['version'],
};

export const TOXIPROXY: GoTool = {
  name: 'toxiproxy',
  module: 'github.com/Shopify/toxiproxy/v2',
  version: '2.12.0',
  pkg: 'github.com/Shopify/toxiproxy/v2/cmd/server', // `go install` would name it `server`
  binary: 'toxiproxy-server',
  envVar: 'TOXIPROXY_BINARY',
  pathNames: ['toxiproxy-server'],
  versionArgs: ['--version'],
  ldflags: '-X github.com/Shopify/toxiproxy/v2.Version=2.12.0',
};

export interface ResolvedTool { path: string; version: string; source: 'env' | 'path' | 'cache' | 'built' }

export class ToolUnavailable extends Error {}

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

function isExecutable(path: string): boolean {
  try { accessSync(path, constants.X_OK); return true; } catch { return false; }
}

export function cachedToolPath(tool: GoTool): string {
  return join(cacheDir(), 'tools', `${tool.name}-${tool.version}`, tool.binary);
}

export async function resolveTool(tool: GoTool, opts: { build?: boolean } = {}): Promise<ResolvedTool> {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new ToolUnavailable(`${tool.envVar}=${fromEnv} is not an executable file`);
    return { path: fromEnv, version: (await probeVersion(tool, fromEnv)) ?? 'unknown', source: 'env' };
  }
  for (const name of tool.pathNames) {
    const onPath = await which(name);
    if (!onPath) continue;
    const v = await probeVersion(tool, onPath);
    if (v && versionAtLeast(v, tool.version)) return { path: onPath, version: v, source: 'path' };
  }
  const cached = cachedToolPath(tool);
  if (isExecutable(cached)) return { path: cached, version: tool.version, source: 'cache' };
  if (opts.build === false) throw new ToolUnavailable(`${tool.name} ${tool.version} is not installed (run: npx moshpit toolchain)`);
  return withLock(join(cacheDir(), 'tools'), tool.name, async () => {
    if (isExecutable(cached)) return { path: cached, version: tool.version, source: 'cache' as const };
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
