// What the numbers were measured on: they mean little without it.
import { cpus, hostname, loadavg, release, totalmem, type as osType } from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gitRevision } from '../../cli/pipeline/run-metadata.js';
import type { MachineInfo } from './types.js';

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? osType();
  } catch {
    return osType();
  }
}

/** The Artillery the project installed (npm install brings it; the default engine). */
export function artilleryVersion(): string {
  try {
    return (createRequire(import.meta.url)('artillery/package.json') as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export async function machineInfo(versions: { k6: string; postgres: string; pgbench: string }): Promise<MachineInfo> {
  return {
    hostname: hostname(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    os: osName(),
    node: process.version,
    artillery: artilleryVersion(),
    k6: versions.k6,
    postgres: versions.postgres,
    pgbench: versions.pgbench,
    gitRevision: await gitRevision(),
  };
}

export function loadAverage1m(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}
