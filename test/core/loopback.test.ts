// The one loopback rule, and every place that guards traffic uses it.
import { describe, expect, it } from 'vitest';
import { ToxiproxyClient } from '../../chaos/toxiproxy-client.js';
import { externalTargetFromEnv } from '../../cli/pipeline/target-config.js';
import { isLoopbackAddress, isLoopbackHost, isLoopbackUrl, urlHost } from '../../core/loopback.js';
import { parseChaosEnv } from '../../lib/chaos/schedule.js';
import { parseConfig } from '../../lib/config.js';
import { checkInfluxUrl } from '../../monitoring/influx/loopback.js';
import { loadConfig as loadServerConfig } from '../../platform/server/config.js';

describe('loopback rule', () => {
  it('admits 127.0.0.0/8, localhost and ::1 (bare or bracketed), nothing else', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', '127.255.255.255', 'localhost', 'LOCALHOST', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', '192.168.1.2', 'example.com', '::', '[::]', '0.0.0.0', '128.0.0.1', '127.0.0.256', '127.1', 'db.localhost',
      '::ffff:127.0.0.1', '127.0.0.1.example.com', '']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('reads the host of a URL, past any user info', () => {
    expect(urlHost('http://127.0.0.1:8080/v1')).toBe('127.0.0.1');
    expect(urlHost('https://[::1]:443/')).toBe('[::1]');
    expect(urlHost('http://127.0.0.1@evil.example/')).toBe('evil.example');
    expect(urlHost('not a url')).toBeNull();
    expect(isLoopbackUrl('http://localhost:54321')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:8474')).toBe(true);
    expect(isLoopbackUrl('http://127.0.0.1@evil.example/')).toBe(false);
    expect(isLoopbackUrl('http://127.0.0.1.nip.example/')).toBe(false);
    expect(isLoopbackUrl('')).toBe(false);
  });

  it('reads host:port addresses', () => {
    expect(isLoopbackAddress('127.0.0.1:5432')).toBe(true);
    expect(isLoopbackAddress('[::1]:5432')).toBe(true);
    expect(isLoopbackAddress('0.0.0.0:0')).toBe(false);
    expect(isLoopbackAddress('10.1.2.3:5432')).toBe(false);
    expect(isLoopbackAddress('localhost')).toBe(false);
  });
});

describe('every guard applies the one rule', () => {
  const LOOPBACK = ['127.0.0.1', '127.3.2.1', 'localhost', '[::1]'];
  const REMOTE = ['10.0.0.1', 'db.localhost', '0.0.0.0', '[::]', 'example.com'];
  /** Whether `use` accepts the host: it must not throw, or throw for another reason than `refusal`. */
  const admits = (use: () => unknown, refusal = /./) => {
    try {
      use();
      return true;
    } catch (e) {
      return !refusal.test(String(e));
    }
  };
  const guards: Record<string, (host: string) => boolean> = {
    'load bundle TARGET_URL (lib/config.ts)': (host) => admits(() => parseConfig({ TARGET_URL: `http://${host}:8080`, API_KEY: 'k', RUN_ID: 'r1', FIXTURES_DIR: '/tmp' }, { stripeWebhookSecret: false }), /not loopback/),
    'orchestrator TARGET_URL (cli/pipeline/target-config.ts)': (host) => admits(() => externalTargetFromEnv({ TARGET_URL: `http://${host}:8080`, API_KEY: 'k', STRIPE_WEBHOOK_SECRET: 'whsec_x' })),
    'InfluxDB URL (monitoring/influx/loopback.ts)': (host) => admits(() => checkInfluxUrl(`http://${host}:8086`, {})),
    'Toxiproxy API (chaos/toxiproxy-client.ts)': (host) => admits(() => new ToxiproxyClient(`http://${host}:8474`, { env: {} })),
    'chaos clock URL (lib/chaos/schedule.ts)': (host) => admits(() => parseChaosEnv(JSON.stringify({ durationS: 1, recoveryS: 0, windows: [], clockUrl: `http://${host}:9/clock` }))),
    'reference server host (platform/server/config.ts)': (host) => admits(() => loadServerConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db', MOSHPIT_API_KEY: 'k', STRIPE_WEBHOOK_SECRET: 'whsec_x', MOSHPIT_TARGET_HOST: host }), /MOSHPIT_TARGET_HOST/),
  };
  for (const [name, accepts] of Object.entries(guards)) {
    it(name, () => {
      for (const h of LOOPBACK) expect(accepts(h), h).toBe(true);
      for (const h of REMOTE) expect(accepts(h), h).toBe(false);
    });
  }
});
