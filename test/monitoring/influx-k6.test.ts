// The real k6 streams a tiny run into our real influxd through k6InfluxArgs: every point
// tagged with the run id and profile, `vu` stored as an integer field (not an indexed tag).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K6, resolveTool } from '../../build/toolchain.js';
import { rows } from '../../monitoring/influx/influx-client.js';
import { k6InfluxArgs } from '../../monitoring/influx/k6-output.js';
import { exec } from '../../stack/exec.js';
import { startTestInflux, type TestInflux } from './influx-fixture.js';

let t: TestInflux;
let k6Path: string;
let server: Server;
let targetUrl: string;
let served = 0;
const work = mkdtempSync(join(tmpdir(), 'mp-influx-k6-'));

beforeAll(async () => {
  server = createServer((_req, res) => {
    served++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  [t, k6Path] = await Promise.all([startTestInflux(), resolveTool(K6).then((k) => k.path)]);
}, 900_000); // resolveTool builds k6 from source on a machine that has none yet

afterAll(async () => {
  await t?.stop();
  await new Promise((r) => server?.close(r));
  rmSync(work, { recursive: true, force: true });
});

/** The k6 script, bundled like the suite's own scenarios: TypeScript in, one ES module out. */
async function bundleScript(): Promise<string> {
  const entry = join(work, 'script.ts');
  const helper = resolve(import.meta.dirname, '../../monitoring/influx/k6-vu-tag.ts');
  writeFileSync(
    entry,
    `import http from 'k6/http';
import { sleep } from 'k6';
import { tagVuForInflux } from ${JSON.stringify(helper)};
export const options = { vus: 1, duration: '2s' };
export default function () {
  tagVuForInflux();
  http.get(\`\${__ENV.TARGET_URL}/v1/health\`, { tags: { name: 'GET /v1/health' } });
  sleep(0.01);
}
`,
  );
  const out = join(work, 'script.js');
  await build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'neutral', external: ['k6', 'k6/*'], logLevel: 'silent' });
  return out;
}

describe('k6 → InfluxDB (built-in v1 output)', () => {
  it('streams a run tagged testid/profile, with vu as a field', async () => {
    const runId = `20260101-000000-influx-${process.pid.toString(16).slice(-4).padStart(4, '0')}`;
    const { args, env } = k6InfluxArgs(t.influx.url, { runId, profile: 'smoke' });
    const script = await bundleScript();
    const r = await exec(k6Path, ['run', '--no-usage-report', '--quiet', ...args, script], {
      check: false,
      env: { ...process.env, ...env, TARGET_URL: targetUrl, K6_NO_USAGE_REPORT: 'true' },
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).not.toMatch(/Couldn't write stats/);

    const k6db = t.client('k6');
    const [count] = rows(await k6db.query('SELECT count(value) FROM http_reqs WHERE testid = $id', { params: { id: runId } }));
    expect(count!.count).toBeGreaterThan(0);
    expect(count!.count).toBe(served); // every request k6 made reached InfluxDB

    const tagKeys = (await k6db.query('SHOW TAG KEYS FROM http_reqs'))[0]!.values.flat();
    expect(tagKeys).toEqual(expect.arrayContaining(['testid', 'profile', 'name', 'method', 'status']));
    expect(tagKeys).not.toContain('vu');
    expect(tagKeys).not.toContain('url');
    const fieldKinds = Object.fromEntries((await k6db.query('SHOW FIELD KEYS FROM http_reqs'))[0]!.values as [string, string][]);
    expect(fieldKinds).toMatchObject({ vu: 'integer', value: 'float' });

    const [vu] = rows(await k6db.query('SELECT min(vu), max(vu) FROM http_reqs WHERE testid = $id AND profile = $p', { params: { id: runId, p: 'smoke' } }));
    expect([vu!.min, vu!.max]).toEqual([1, 1]);
    const names = (await k6db.query('SHOW TAG VALUES FROM http_reqs WITH KEY = "name"'))[0]!.values.map((v) => v[1]);
    expect(names).toEqual(['GET /v1/health']);
  });
});
