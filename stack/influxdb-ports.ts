// influxd's two listeners (HTTP API and the RPC/backup service), both on 127.0.0.1 and away
// from the defaults 8086/8088, so a system-installed InfluxDB is never hit by mistake.
// Chosen once per instance and kept in ports.json, so Grafana's datasource URL stays put.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface InfluxPorts { http: number; rpc: number }

const BASE_PORT = 58086;
const SPREAD = 400;

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function readPorts(dir: string): InfluxPorts | null {
  try {
    const p = JSON.parse(readFileSync(join(dir, 'ports.json'), 'utf8')) as InfluxPorts;
    return Number.isInteger(p.http) && Number.isInteger(p.rpc) ? p : null;
  } catch {
    return null;
  }
}

/**
 * Ports for a start: the recorded ones while still free, else (or when `fresh`) a new pair
 * probed upward from a per-instance offset, recorded in ports.json.
 */
export async function choosePorts(dir: string, instanceId: string, fresh = false): Promise<InfluxPorts> {
  const saved = fresh ? null : readPorts(dir);
  if (saved && (await portIsFree(saved.http)) && (await portIsFree(saved.rpc))) return saved;
  // Hashed, so ids that differ by a digit (parallel test workers) start far apart.
  const offset = parseInt(createHash('sha256').update(instanceId).digest('hex').slice(0, 8), 16) % SPREAD;
  let port = BASE_PORT + offset * 2;
  for (let tries = 0; ; tries++, port += 2) {
    if (tries > 1000) throw new Error(`no two free adjacent ports on 127.0.0.1 from ${BASE_PORT + offset * 2} on`);
    if (port + 1 > 65535) port = BASE_PORT;
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) break;
  }
  const ports = { http: port, rpc: port + 1 };
  if (existsSync(dir)) writeFileSync(join(dir, 'ports.json'), `${JSON.stringify(ports)}\n`);
  return ports;
}
