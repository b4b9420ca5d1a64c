// Promise wrapper around child_process.spawn that keeps output for error messages.
import { spawn, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ExecResult { code: number; stdout: string; stderr: string }

export class ExecError extends Error {
  constructor(readonly command: string, readonly result: ExecResult) {
    super(`${command} exited ${result.code}: ${(result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n')}`);
  }
}

export function exec(cmd: string, args: string[], opts: SpawnOptions & { check?: boolean; input?: string } = {}): Promise<ExecResult> {
  const { check = true, input, ...spawnOpts } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...spawnOpts, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { code: code ?? -1, stdout, stderr };
      if (check && result.code !== 0) reject(new ExecError([cmd, ...args].join(' '), result));
      else resolve(result);
    });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

/** Looks a command up on PATH without a shell. */
export async function which(cmd: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch { /* not here */ }
  }
  return null;
}
