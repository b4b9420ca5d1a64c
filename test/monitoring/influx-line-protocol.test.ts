// Line protocol formatting and the loopback guard, without a server (the round trip through
// a real influxd is in influx-client.test.ts).
import { describe, expect, it } from 'vitest';
import { int, LineProtocolError, toLine, toLines } from '../../monitoring/influx/line-protocol.js';
import { isLoopbackHost } from '../../core/loopback.js';
import { checkInfluxUrl, RemoteInfluxRefused } from '../../monitoring/influx/loopback.js';
import { K6_TAGS_AS_FIELDS, k6InfluxArgs } from '../../monitoring/influx/k6-output.js';
import { engineInfluxOutput, INFLUX_WRITE_ENV, parseInfluxWrite } from '../../monitoring/influx/engine-output.js';

describe('toLine', () => {
  it('writes measurement, sorted tags, typed fields and a ms timestamp', () => {
    const line = toLine({
      measurement: 'http',
      tags: { z: '1', a: 'x', empty: '', none: undefined },
      fields: { f: 1.5, whole: 3, n: int(42), big: 2n ** 62n, ok: true, s: 'hi', skip: undefined },
      time: new Date(1_700_000_000_123),
    });
    expect(line).toBe(`http,a=x,z=1 f=1.5,whole=3,n=42i,big=${2n ** 62n}i,ok=true,s="hi" 1700000000123`);
  });

  it('escapes commas and spaces in measurements; commas, equals and spaces in tags and field keys', () => {
    expect(toLine({ measurement: 'my m,x', tags: { 'k ey,=': 'v a,l=ue' }, fields: { 'f k=,': 1 } })).toBe(
      'my\\ m\\,x,k\\ ey\\,\\==v\\ a\\,l\\=ue f\\ k\\=\\,=1',
    );
  });

  it('escapes quotes and backslashes in string fields, keeps newlines and unicode', () => {
    expect(toLine({ measurement: 'm', fields: { s: 'say "hi" \\ C:\\dir\nnext ☃' } })).toBe('m s="say \\"hi\\" \\\\ C:\\\\dir\nnext ☃"');
  });

  it('leaves backslashes inside names and tags as they are (InfluxDB 1.x reads them literally)', () => {
    expect(toLine({ measurement: 'a\\b', tags: { t: 'c\\d', u: 'e\\,f' }, fields: { v: 1 } })).toBe('a\\b,t=c\\d,u=e\\\\,f v=1');
  });

  it('formats numbers the server parses: exponents, negative zero; integers need int()', () => {
    expect(toLine({ measurement: 'm', fields: { a: 1e21, b: -0, c: 1.5e-7 } })).toBe('m a=1e+21,b=0,c=1.5e-7');
    expect(toLine({ measurement: 'm', fields: { n: int(-9007199254740991) } })).toBe('m n=-9007199254740991i');
  });

  it('rejects what the v1 parser cannot read back faithfully', () => {
    const bad: Array<[string, () => string]> = [
      ['newline in tag', () => toLine({ measurement: 'm', tags: { t: 'a\nb' }, fields: { v: 1 } })],
      ['newline in measurement', () => toLine({ measurement: 'm\n', fields: { v: 1 } })],
      ['trailing backslash in tag', () => toLine({ measurement: 'm', tags: { t: 'a\\' }, fields: { v: 1 } })],
      ['comment-like measurement', () => toLine({ measurement: '#m', fields: { v: 1 } })],
      ['time as field key', () => toLine({ measurement: 'm', fields: { time: 1 } })],
      ['time as tag key', () => toLine({ measurement: 'm', tags: { time: 'x' }, fields: { v: 1 } })],
      ['no fields', () => toLine({ measurement: 'm', fields: { v: undefined } })],
      ['NaN', () => toLine({ measurement: 'm', fields: { v: NaN } })],
      ['Infinity', () => toLine({ measurement: 'm', fields: { v: Infinity } })],
      ['fractional ms', () => toLine({ measurement: 'm', fields: { v: 1 }, time: 1.5 })],
      ['int beyond int64', () => toLine({ measurement: 'm', fields: { v: 2n ** 63n } })],
    ];
    for (const [what, f] of bad) expect(f, what).toThrow(LineProtocolError);
    expect(() => int(0.5)).toThrow(LineProtocolError);
    expect(() => int(2 ** 53)).toThrow(LineProtocolError);
  });

  it('joins points with newlines', () => {
    expect(toLines([{ measurement: 'a', fields: { v: 1 } }, { measurement: 'b', fields: { v: 2 } }])).toBe('a v=1\nb v=2');
  });
});

describe('loopback guard', () => {
  it('accepts loopback hosts only', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', '192.168.1.2', 'example.com', '[::]', '0.0.0.0', '128.0.0.1', 'db.localhost']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a remote URL unless MOSHPIT_ALLOW_REMOTE=1', () => {
    expect(() => checkInfluxUrl('http://10.1.2.3:8086', {})).toThrow(RemoteInfluxRefused);
    expect(checkInfluxUrl('http://10.1.2.3:8086', { MOSHPIT_ALLOW_REMOTE: '1' }).host).toBe('10.1.2.3:8086');
    expect(() => checkInfluxUrl('udp://127.0.0.1:8089', {})).toThrow(/http/);
    expect(() => checkInfluxUrl('not a url', {})).toThrow(/not a URL/);
  });
});

describe('k6InfluxArgs', () => {
  it('points k6 at <url>/k6, tags the run, and moves unbounded tags to fields', () => {
    const { args, env } = k6InfluxArgs('http://127.0.0.1:58100/', { runId: '20260101-120000-entry-ab12', profile: 'smoke' });
    expect(args).toEqual(['--out', 'influxdb=http://127.0.0.1:58100/k6', '--tag', 'testid=20260101-120000-entry-ab12', '--tag', 'profile=smoke']);
    expect(env.K6_INFLUXDB_TAGS_AS_FIELDS).toBe(K6_TAGS_AS_FIELDS.join(','));
    expect(env.K6_INFLUXDB_TAGS_AS_FIELDS).toMatch(/(^|,)vu:int(,|$)/);
    expect(env).not.toHaveProperty('K6_INFLUXDB_PUSH_INTERVAL');
  });

  it('keeps extra run tags (k6 replaces the script tags with the CLI ones) and takes tuning', () => {
    const { args, env } = k6InfluxArgs('http://localhost:58100', {
      runId: 'r1', profile: 'peak', database: 'k6_b', extraTags: { target_kind: 'rest' }, pushInterval: '2s', concurrentWrites: 2, extraTagsAsFields: ['req_id'],
    });
    expect(args).toEqual(['--out', 'influxdb=http://localhost:58100/k6_b', '--tag', 'target_kind=rest', '--tag', 'testid=r1', '--tag', 'profile=peak']);
    expect(env).toMatchObject({ K6_INFLUXDB_PUSH_INTERVAL: '2s', K6_INFLUXDB_CONCURRENT_WRITES: '2' });
    expect(env.K6_INFLUXDB_TAGS_AS_FIELDS!.endsWith(',req_id')).toBe(true);
  });

  it('refuses remote URLs and tag values k6 would mangle', () => {
    expect(() => k6InfluxArgs('http://203.0.113.5:8086', { runId: 'r', profile: 'p' })).toThrow(RemoteInfluxRefused);
    expect(() => k6InfluxArgs('http://127.0.0.1:1', { runId: 'a b', profile: 'p' })).toThrow(/plain token/);
    expect(() => k6InfluxArgs('http://127.0.0.1:1', { runId: 'r', profile: 'p', extraTags: { 'bad key': 'x' } })).toThrow(/plain token/);
  });
});

describe('engineInfluxOutput', () => {
  it('gives either engine the same database and run tags: k6 its CLI args and env, Artillery MOSHPIT_INFLUX_WRITE', () => {
    const opts = { runId: '20260101-120000-full-ab12', profile: 'smoke', database: 'k6', extraTags: { target_kind: 'rest' } };
    const out = engineInfluxOutput('http://127.0.0.1:58100/', opts);
    const k6 = k6InfluxArgs('http://127.0.0.1:58100/', opts);
    expect(out.k6Args).toEqual(k6.args);
    expect(out.env).toMatchObject(k6.env);
    expect(parseInfluxWrite(out.env[INFLUX_WRITE_ENV]!)).toEqual({
      url: 'http://127.0.0.1:58100', database: 'k6', tags: { target_kind: 'rest', testid: '20260101-120000-full-ab12', profile: 'smoke' },
    });
  });

  it('refuses what k6InfluxArgs refuses, and a malformed MOSHPIT_INFLUX_WRITE', () => {
    expect(() => engineInfluxOutput('http://203.0.113.5:8086', { runId: 'r', profile: 'p' })).toThrow(RemoteInfluxRefused);
    expect(() => engineInfluxOutput('http://127.0.0.1:1', { runId: 'a b', profile: 'p' })).toThrow(/plain token/);
    expect(() => parseInfluxWrite('{"url":"http://127.0.0.1:1","database":"k 6"}')).toThrow(/database/);
    expect(() => parseInfluxWrite('{"url":"http://127.0.0.1:1","database":"k6","tags":{"testid":1}}')).toThrow(/tags/);
  });
});
