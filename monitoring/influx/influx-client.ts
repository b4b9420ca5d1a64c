// A small InfluxDB v1 HTTP client: /ping, /write (line protocol, ms precision, batched) and
// /query (InfluxQL, epoch ms). Speaks the HTTP API directly; no client library needed.
import { toLines, type Point } from './line-protocol.js';
import { checkInfluxUrl } from './loopback.js';

export interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface StatementResult { statement_id: number; series?: Series[]; error?: string }

export interface InfluxClientOptions {
  /** Base URL, e.g. http://127.0.0.1:58086 (a path prefix is kept). */
  url: string;
  /** Default database for write() and query(). */
  database?: string;
  /** Points per /write request. */
  batchSize?: number;
  timeoutMs?: number;
  username?: string;
  password?: string;
  env?: NodeJS.ProcessEnv;
}

/** The server said no: status plus the server's own message. */
export class InfluxError extends Error {
  constructor(readonly status: number, readonly serverMessage: string, what: string) {
    super(`InfluxDB ${what} failed (${status}): ${serverMessage}`);
  }
}

export class InfluxClient {
  readonly baseUrl: string;
  readonly database: string | undefined;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private readonly auth: Record<string, string>;

  constructor(opts: InfluxClientOptions) {
    const u = checkInfluxUrl(opts.url, opts.env);
    this.baseUrl = u.toString().replace(/\/+$/, '');
    this.database = opts.database;
    this.batchSize = opts.batchSize ?? 5000;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.auth = opts.username ? { u: opts.username, p: opts.password ?? '' } : {};
  }

  private endpoint(path: string, params: Record<string, string | undefined>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...this.auth, ...params })) if (v !== undefined) qs.set(k, v);
    return `${this.baseUrl}${path}?${qs}`;
  }

  private async request(what: string, url: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new Error(`InfluxDB ${what}: cannot reach ${this.baseUrl} (${cause})`);
    }
    if (res.ok) return res;
    throw new InfluxError(res.status, await errorMessage(res), what);
  }

  /** Resolves with the server version when /ping answers 204. */
  async ping(): Promise<{ version: string }> {
    const res = await this.request('ping', this.endpoint('/ping', {}));
    await res.arrayBuffer();
    return { version: res.headers.get('x-influxdb-version') ?? 'unknown' };
  }

  /** Writes points in batches of batchSize (one request each, in order). */
  async write(points: Point[], opts: { database?: string; retentionPolicy?: string } = {}): Promise<void> {
    const db = opts.database ?? this.database;
    if (!db) throw new Error('InfluxClient.write: no database given');
    const url = this.endpoint('/write', { db, rp: opts.retentionPolicy, precision: 'ms' });
    for (let i = 0; i < points.length; i += this.batchSize) {
      const body = toLines(points.slice(i, i + this.batchSize));
      const res = await this.request(`write to ${db}`, url, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } });
      await res.arrayBuffer();
    }
  }

  /**
   * Runs InfluxQL and returns every statement's result; throws on the first statement error.
   * `params` are bound as $name (InfluxDB's own parameter binding), so values need no quoting.
   */
  async queryAll(q: string, opts: { database?: string; params?: Record<string, string | number | boolean> } = {}): Promise<StatementResult[]> {
    const form = new URLSearchParams({ q, epoch: 'ms', ...this.auth });
    const db = opts.database ?? this.database;
    if (db) form.set('db', db);
    if (opts.params) form.set('params', JSON.stringify(opts.params));
    // POST: InfluxDB 1.x refuses CREATE/DROP over GET, and POST serves SELECT as well.
    const res = await this.request('query', `${this.baseUrl}/query`, { method: 'POST', body: form });
    const json = (await res.json()) as { results?: StatementResult[]; error?: string };
    if (json.error) throw new InfluxError(res.status, json.error, 'query');
    const results = json.results ?? [];
    const failed = results.find((r) => r.error);
    if (failed) throw new InfluxError(res.status, failed.error!, `query ${JSON.stringify(q)}`);
    return results;
  }

  /** One statement's series (an empty array when nothing matched). */
  async query(q: string, opts: { database?: string; params?: Record<string, string | number | boolean> } = {}): Promise<Series[]> {
    const results = await this.queryAll(q, opts);
    return results[0]?.series ?? [];
  }

  async createDatabase(name: string): Promise<void> {
    await this.queryAll(`CREATE DATABASE ${quoteIdent(name)}`);
  }
}

/** Series rows as objects keyed by column, with the series' GROUP BY tags merged in. */
export function rows(series: Series[]): Record<string, unknown>[] {
  return series.flatMap((s) => s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })));
}

/** An InfluxQL identifier: "name" with quotes and backslashes escaped. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** An InfluxQL string literal: 'text'. Prefer bound params where the statement allows them. */
export function quoteString(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const json = JSON.parse(text) as { error?: string };
    if (json.error) return json.error;
  } catch { /* not JSON */ }
  return text.trim() || res.statusText;
}
