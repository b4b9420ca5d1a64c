// Our own influxd, for real: installed if missing, on 127.0.0.1 only, unprivileged when we are
// root, adopted when already running, and gone (every process of it) after a stop by PID.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../stack/exec.js';
import { ensureInfluxBinary, runningInfluxPid, startInflux, stopInflux, stopInfluxInstance } from '../../stack/influxdb.js';
import { startGuardScript } from '../../stack/influxdb-install.js';
import { isAlive } from '../../stack/processes.js';
import { pidsMentioning, startTestInflux, type TestInflux } from './influx-fixture.js';

let t: TestInflux;
beforeAll(async () => {
  t = await startTestInflux();
}, 300_000);
afterAll(async () => {
  await t?.stop();
});

/** Local addresses of LISTEN sockets on a port, from /proc/net/tcp{,6}. */
function listenAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) out.push(local.split(':')[0]!);
    }
  }
  return out;
}

describe('influxd lifecycle', () => {
  it('finds (or installs) InfluxDB 1.x', async () => {
    const bin = await ensureInfluxBinary();
    expect(bin.version).toMatch(/^1\./);
  });

  it('answers /ping on 127.0.0.1 with a non-default port, with k6 and moshpit databases', async () => {
    const { url, port } = t.influx;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(port).not.toBe(8086);
    const ping = await fetch(`${url}/ping`);
    expect(ping.status).toBe(204);
    expect(ping.headers.get('x-influxdb-version')).toMatch(/^1\./);
    const dbs = (await t.client().query('SHOW DATABASES'))[0]!.values.flat();
    expect(dbs).toEqual(expect.arrayContaining(['k6', 'moshpit']));
  });

  it('listens on loopback only (HTTP and RPC), with the generated config', () => {
    const pid = t.influx.process.pid;
    const conf = readFileSync(join(t.influx.dataDir, 'influxd.conf'), 'utf8');
    const rpc = Number(/^bind-address = "127\.0\.0\.1:(\d+)"/m.exec(conf)![1]);
    expect(rpc).not.toBe(8088);
    expect(conf).toMatch(/reporting-disabled = true/);
    expect(conf).toMatch(/\[\[udp\]\]\n\s+enabled = false/);
    for (const port of [t.influx.port, rpc]) {
      // 0100007F is 127.0.0.1 in /proc's little-endian hex
      expect(listenAddresses(port)).toEqual(['0100007F']);
    }
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(join(t.influx.dataDir, 'influxd.conf'));
  });

  it('runs as the unprivileged moshpit user when we are root', async () => {
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${t.influx.process.pid}/status`, 'utf8'))![1]);
    if (process.getuid?.() === 0) {
      expect(uid).toBe(Number((await exec('id', ['-u', 'moshpit'])).stdout.trim()));
      expect(t.influx.dataDir.startsWith('/var/lib/moshpit/')).toBe(true);
    } else {
      expect(uid).toBe(process.getuid?.());
    }
  });

  it('adopts the running instance instead of starting a second one', async () => {
    const again = await startInflux({ instanceId: t.instanceId });
    expect(again.adopted).toBe(true);
    expect(again.process.pid).toBe(t.influx.process.pid);
    expect(again.url).toBe(t.influx.url);
    expect(pidsMentioning(t.influx.dataDir)).toEqual([t.influx.process.pid]);
  });

  it('stop by PID leaves no process of ours; a restart keeps the port and the data', async () => {
    await t.client().write([{ measurement: 'survives', fields: { v: 1 }, time: 1_700_000_000_000 }]);
    await stopInflux(t.influx.process);
    expect(isAlive(t.influx.process)).toBe(false);
    expect(pidsMentioning(t.influx.dataDir)).toEqual([]);
    expect(runningInfluxPid(t.influx.dataDir)).toBeNull();
    await expect(fetch(`${t.influx.url}/ping`)).rejects.toThrow();

    const restarted = await startInflux({ instanceId: t.instanceId });
    expect(restarted.adopted).toBe(false);
    expect(restarted.port).toBe(t.influx.port);
    const rows = await t.client().query('SELECT v FROM survives');
    expect(rows[0]!.values).toEqual([[1_700_000_000_000, 1]]);

    // The crash path: no state but the pid file in the instance dir.
    expect(await stopInfluxInstance(restarted.dataDir)).toBe(restarted.process.pid);
    expect(pidsMentioning(t.influx.dataDir)).toEqual([]);
  });

  it('moves to new ports when another program took the recorded one while it was down', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(t.influx.port, '127.0.0.1', r));
    try {
      const moved = await startInflux({ instanceId: t.instanceId });
      expect(moved.port).not.toBe(t.influx.port);
      expect((await fetch(`${moved.url}/ping`)).status).toBe(204);
      await stopInflux(moved.process);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});

describe('install guard (policy-rc.d while apt-get installs influxdb)', () => {
  const run = async (...args: string[]) => (await exec('sh', ['-c', startGuardScript(1), 'policy-rc.d', ...args], { check: false })).code;

  it('denies only influxdb starts; everything else gets "allowed" as without the file', async () => {
    expect(await run('influxdb', 'start')).toBe(101);
    expect(await run('--quiet', 'influxdb', 'restart')).toBe(101);
    expect(await run('influxdb.service', 'start')).toBe(101);
    expect(await run('postgresql', 'start')).toBe(104);
    expect(await run('postgresql.service', 'start')).toBe(104);
  });
});
