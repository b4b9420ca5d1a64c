// Promise wrapper around child_process.spawn that keeps output for error messages.
import { spawn, type SpawnOptions } from 'node:child_process';

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

export async function which(cmd: string): Promise<string | null> {
  const r = await exec('sh', ['-c', `command -v ${cmd}`], { check: false });
  return r.code === 0 ? r.stdout.trim() : null;
}
