// redactUrl: no password, key or token survives, and nothing else in the URL changes. Then the
// places that print or write URLs: pre-flight (stdout, preflight.json) and health-check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from '../../core/redact.js';
import { exec } from '../../stack/exec.js';
import { projectRoot } from '../../stack/paths.js';
import { runPreflight } from '../../validate/preflight/runner.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://postgres:s3cret@127.0.0.1:55432/moshpit', 'postgres://postgres:***@127.0.0.1:55432/moshpit'],
    ['http://user:pw@target.example:8080/v1', 'http://user:***@target.example:8080/v1'],
    ['https://user:pw@target.example', 'https://user:***@target.example'],
    // an unencoded '@' in the password: the host is after the last one
    ['postgres://me:p@ss@db.example/app', 'postgres://me:***@db.example/app'],
    ['postgres://me:p%40ss@db.example/app?sslmode=require', 'postgres://me:***@db.example/app?sslmode=require'],
  ])('replaces the password in %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    ['postgres://db.example/app?password=s3cret&sslmode=require', 'postgres://db.example/app?password=***&sslmode=require'],
    ['https://x.supabase.co/rest/v1?apikey=eyJhbGci.abc', 'https://x.supabase.co/rest/v1?apikey=***'],
    ['http://127.0.0.1:1/v1/health?key=k1&other=1&token=t1', 'http://127.0.0.1:1/v1/health?key=***&other=1&token=***'],
    ['http://h/?PASSWORD=a;Token=b', 'http://h/?PASSWORD=***;Token=***'],
    ['http://h/cb#access_token=abc&state=1', 'http://h/cb#access_token=***&state=1'],
  ])('replaces secret query parameters in %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('leaves URLs without credentials exactly as written', () => {
    for (const url of [
      'postgres://postgres@127.0.0.1:55432/moshpit',
      'http://127.0.0.1:3000',
      'http://h/v1/orders?monkey=1&keyboard=2&idempotency_key=x',
      'postgres://user:@h/db',
    ]) expect(redactUrl(url)).toBe(url);
  });

  it('redacts libpq keyword strings and unparseable input too', () => {
    expect(redactUrl("host=127.0.0.1 user=postgres password=s3cret dbname=moshpit")).toBe('host=127.0.0.1 user=postgres password=*** dbname=moshpit');
    expect(redactUrl("host=h password='a b' dbname=x")).toBe('host=h password=*** dbname=x');
    expect(redactUrl('postgres://u:pw@[::1')).toBe('postgres://u:***@[::1');
  });

  it('finds URLs inside free text', () => {
    expect(redactUrlsIn('connect ECONNREFUSED for http://u:pw@127.0.0.1:9/v1 (retrying postgres://a:b@h/db?token=z)'))
      .toBe('connect ECONNREFUSED for http://u:***@127.0.0.1:9/v1 (retrying postgres://a:***@h/db?token=***)');
  });
});

describe('URLs with credentials, where they are printed or written', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mp-redact-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  // Nothing listens on port 1: every check fails, with the URL in its error message.
  const databaseUrl = 'postgres://postgres:db-s3cret@127.0.0.1:1/moshpit?password=q-s3cret';
  const targetUrl = 'http://user:target-s3cret@127.0.0.1:1';
  const env: NodeJS.ProcessEnv = {
    ...process.env, MOSHPIT_STATE_DIR: scratch, DATABASE_URL: databaseUrl, TARGET_URL: targetUrl,
    API_KEY: 'k', STRIPE_WEBHOOK_SECRET: 'whsec_x', SUPABASE_URL: '',
  };
  const cli = (...args: string[]) => exec(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { check: false, env, cwd: projectRoot });

  it('pre-flight report (preflight.json) carries no password', async () => {
    const report = await runPreflight({ databaseUrl, targetUrl, targetKind: 'rest', apiKey: 'k', fixturesDir: scratch, timeoutMs: 2000 });
    const text = JSON.stringify(report);
    expect(text).not.toMatch(/s3cret/);
    expect(report.checks.find((c) => c.name === 'target-health')!.detail).toContain('http://user:***@127.0.0.1:1');
  });

  it('moshpit preflight and health-check print no password', async () => {
    for (const args of [['preflight', '--json', '--no-probe'], ['preflight', '--target-url', targetUrl], ['health-check'], ['health-check', '--json']]) {
      const r = await cli(...args);
      expect(`${r.stdout}${r.stderr}`, args.join(' ')).not.toMatch(/s3cret/);
      expect(r.stdout, args.join(' ')).toMatch(/\*\*\*|127\.0\.0\.1:1\/moshpit/);
    }
  });
});
