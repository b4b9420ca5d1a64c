// Runs the user's own k6 binary on a bundle, streaming its live output to the console.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { isInterrupted } from '../../stack/interrupt.js';

export interface K6RunOptions {
  k6Path: string;
  bundle: string;
  resultsDir: string;
  env: Record<string, string>;
  /** Extra k6 CLI args, e.g. ['--out', 'influxdb=http://127.0.0.1:8086/k6']. */
  extraArgs?: string[];
  quiet?: boolean;
  onSpawn?: (pid: number, source: string) => void;
  onExit?: (pid: number, source: string) => void;
}


export function runK6(opts: K6RunOptions): Promise<number> {
  const args = ['run', '--no-usage-report', ...(opts.quiet ? ['--quiet'] : []), ...(opts.extraArgs ?? []), opts.bundle];
  return new Promise((resolve, reject) => {
    const child = spawn(opts.k6Path, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        ...opts.env,
        K6_NO_USAGE_REPORT: 'true',
        K6_WEB_DASHBOARD: 'true',
        K6_WEB_DASHBOARD_PORT: '-1', // no live server; just the HTML export at the end
        K6_WEB_DASHBOARD_EXPORT: join(opts.resultsDir, 'dashboard.html'),
      },
    });
    if (child.pid) opts.onSpawn?.(child.pid, 'k6');
    // SIGTERM to the CLI (a CI timeout, systemd) stops k6 too, not only a terminal's Ctrl-C.
    const watch = setInterval(() => { if (isInterrupted() && child.exitCode === null) child.kill('SIGTERM'); }, 200);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(watch);
      if (child.pid) opts.onExit?.(child.pid, 'k6');
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}
