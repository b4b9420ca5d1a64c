// Runs the real Toxiproxy server (the fault layer between the target and PostgreSQL) as a
// child process we own: API on 127.0.0.1 only, output to a log file, stopped by PID.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TOXIPROXY, resolveTool } from '../build/toolchain.js';
import { stateDir } from './paths.js';
import { isAlive, own, sleep, stopOwned, type OwnedProcess } from './processes.js';

export interface ToxiproxyOptions {
  /** API port; default: a free port picked at start. */
  port?: number;
  /** Where the server's log goes; default .moshpit/logs/. */
  logDir?: string;
  timeoutMs?: number;
}

export interface StartedToxiproxy {
  apiUrl: string;
  port: number;
  version: string;
  logFile: string;
  process: OwnedProcess;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts toxiproxy-server; retries on a fresh port if a picked one was taken in between. */
export async function startToxiproxy(opts: ToxiproxyOptions = {}): Promise<StartedToxiproxy> {
  const binary = (await resolveTool(TOXIPROXY)).path;
  const attempts = opts.port ? 1 : 3;
  let lastError: Error | undefined;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(binary, opts.port ?? (await freePort()), opts);
    } catch (err) {
      lastError = err as Error;
      if (!(err instanceof PortTaken)) throw err;
    }
  }
  throw lastError!;
}

class PortTaken extends Error {}

async function startOnce(binary: string, port: number, opts: ToxiproxyOptions): Promise<StartedToxiproxy> {
  const logDir = opts.logDir ?? join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logFile = join(logDir, `toxiproxy-${stamp}-${port}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port)], {
    detached: true, // own process group: a terminal Ctrl-C reaches us, and we stop it in order
    stdio: ['ignore', out, out],
    // debug level logs every API request with its id: that is how we recognise our own server
    env: { ...process.env, LOG_LEVEL: 'debug' },
  });
  closeSync(out);
  child.unref();
  const proc = own(child.pid!, 'toxiproxy');
  const apiUrl = `http://127.0.0.1:${port}`;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (!isAlive(proc)) {
        const log = readFileSync(logFile, 'utf8');
        if (/address already in use/i.test(log)) throw new PortTaken(`port ${port} is taken`);
        throw new Error(`toxiproxy-server exited during start-up:\n${log.trim().split('\n').slice(-10).join('\n')}`);
      }
      const version = await probe(apiUrl, logFile);
      if (version) return { apiUrl, port, version, logFile, process: proc };
      await sleep(50);
    }
    throw new Error(`toxiproxy-server did not answer GET ${apiUrl}/version within ${timeoutMs} ms (see ${logFile})`);
  } catch (err) {
    await stopOwned(proc); // never leave a half-started server behind
    throw err;
  }
}

/**
 * GET /version, accepted only if our log shows that very request (X-Toxiproxy-Request-Id):
 * another server that grabbed the port in the meantime must not be mistaken for ours.
 */
async function probe(apiUrl: string, logFile: string): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/version`, { signal: AbortSignal.timeout(1000) });
  } catch {
    return null; // not listening yet
  }
  if (!res.ok) return null;
  const body = (await res.json().catch(() => ({}))) as { version?: string };
  const requestId = res.headers.get('x-toxiproxy-request-id');
  if (!requestId || !body.version) return null;
  for (let i = 0; i < 20; i++) {
    if (readFileSync(logFile, 'utf8').includes(requestId)) return body.version;
    await sleep(25);
  }
  throw new PortTaken(`another server answers on ${apiUrl}`);
}

export async function stopToxiproxy(p: OwnedProcess | StartedToxiproxy): Promise<void> {
  await stopOwned('process' in p ? p.process : p);
}
