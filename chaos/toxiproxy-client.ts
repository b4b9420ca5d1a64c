// Typed client for the Toxiproxy v2 HTTP API (https://github.com/Shopify/toxiproxy#http-api).
// Loopback only unless MOSHPIT_ALLOW_REMOTE=1: injecting faults into the wrong host is an outage.
import type { Stream, ToxicType } from '../core/faults.js';
import { isLoopbackAddress, isLoopbackUrl } from '../core/loopback.js';

/** Attributes per toxic type, as the server names them (times in ms, slicer delay in µs). */
export interface ToxicAttributeMap extends Record<ToxicType, object> {
  latency: { latency: number; jitter?: number };
  bandwidth: { rate: number }; // KB/s
  slow_close: { delay: number };
  timeout: { timeout: number }; // 0 = drop data until removed
  reset_peer: { timeout?: number };
  slicer: { average_size: number; size_variation?: number; delay?: number };
  limit_data: { bytes: number };
}

export type NewToxic = {
  [T in ToxicType]: {
    type: T;
    attributes: ToxicAttributeMap[T];
    /** default on the server: `<type>_<stream>` */
    name?: string;
    /** default on the server: downstream (server -> client) */
    stream?: Stream;
    /** fraction of connections affected, 0..1 (default 1) */
    toxicity?: number;
  };
}[ToxicType];

export interface Toxic {
  name: string;
  type: ToxicType;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, number>;
}

export interface Proxy {
  name: string;
  /** host:port; after creation with port 0 it holds the port the server picked */
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Toxic[];
}

export interface NewProxy {
  name: string;
  upstream: string;
  /** default 127.0.0.1:0 (a free port) */
  listen?: string;
  enabled?: boolean;
}

/** A non-2xx answer; `serverMessage` is Toxiproxy's own `error` text. */
export class ToxiproxyError extends Error {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly serverMessage: string) {
    super(`Toxiproxy ${method} ${path}: ${status} ${serverMessage}`);
  }
}

/** The API did not answer at all (server not running, wrong port, timeout). */
export class ToxiproxyUnreachable extends Error {}

export class ToxiproxyClient {
  readonly apiUrl: string;
  private readonly allowRemote: boolean;
  private readonly timeoutMs: number;

  constructor(apiUrl: string, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
    this.allowRemote = (opts.env ?? process.env).MOSHPIT_ALLOW_REMOTE === '1';
    this.timeoutMs = opts.timeoutMs ?? 5000;
    let u: URL;
    try {
      u = new URL(apiUrl);
    } catch {
      throw new Error(`Toxiproxy API URL '${apiUrl}' is not a URL`);
    }
    if (u.protocol !== 'http:') throw new Error(`Toxiproxy API URL '${apiUrl}' must be http://`);
    if (!this.allowRemote && !isLoopbackUrl(apiUrl)) {
      throw new Error(`refusing to drive the non-loopback Toxiproxy at ${u.host}; set MOSHPIT_ALLOW_REMOTE=1 to confirm it is yours`);
    }
    this.apiUrl = apiUrl.replace(/\/+$/, '');
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs), // every call is bounded
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new ToxiproxyUnreachable(`Toxiproxy ${method} ${this.apiUrl}${path}: no answer (${why})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text.trim() || res.statusText;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? message;
      } catch { /* plain-text error */ }
      throw new ToxiproxyError(method, path, res.status, message);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async version(): Promise<string> {
    return (await this.request<{ version: string }>('GET', '/version')).version;
  }

  listProxies(): Promise<Record<string, Proxy>> {
    return this.request('GET', '/proxies');
  }

  async createProxy(p: NewProxy): Promise<Proxy> {
    const listen = p.listen ?? '127.0.0.1:0';
    // The proxy's own sockets obey the same rule as the API: loopback unless confirmed.
    if (!isLoopbackAddress(listen)) throw new Error(`proxy '${p.name}' must listen on loopback, not ${listen}`);
    if (!this.allowRemote && !isLoopbackAddress(p.upstream)) {
      throw new Error(`refusing to proxy to non-loopback upstream ${p.upstream}; set MOSHPIT_ALLOW_REMOTE=1 to confirm it is yours`);
    }
    return this.request('POST', '/proxies', { name: p.name, listen, upstream: p.upstream, enabled: p.enabled ?? true });
  }

  getProxy(name: string): Promise<Proxy> {
    return this.request('GET', `/proxies/${encodeURIComponent(name)}`);
  }

  async deleteProxy(name: string): Promise<void> {
    await this.request('DELETE', `/proxies/${encodeURIComponent(name)}`);
  }

  /** Disabling closes all its connections and stops listening; enabling listens again. */
  setProxyEnabled(name: string, enabled: boolean): Promise<Proxy> {
    return this.request('PATCH', `/proxies/${encodeURIComponent(name)}`, { enabled }); // POST is deprecated in 2.x
  }

  enableProxy(name: string): Promise<Proxy> {
    return this.setProxyEnabled(name, true);
  }

  disableProxy(name: string): Promise<Proxy> {
    return this.setProxyEnabled(name, false);
  }

  listToxics(proxy: string): Promise<Toxic[]> {
    return this.request('GET', `/proxies/${encodeURIComponent(proxy)}/toxics`);
  }

  async addToxic(proxy: string, toxic: NewToxic): Promise<Toxic> {
    if (toxic.toxicity !== undefined && !(toxic.toxicity >= 0 && toxic.toxicity <= 1)) {
      throw new Error(`toxicity must be between 0 and 1, got ${toxic.toxicity}`);
    }
    return this.request('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic);
  }

  getToxic(proxy: string, name: string): Promise<Toxic> {
    return this.request('GET', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(name)}`);
  }

  updateToxic(proxy: string, name: string, changes: { attributes?: Record<string, number>; toxicity?: number }): Promise<Toxic> {
    return this.request('PATCH', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(name)}`, changes);
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.request('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(name)}`);
  }

  /** POST /reset: removes every toxic of every proxy and re-enables all proxies. */
  async reset(): Promise<void> {
    await this.request('POST', '/reset');
  }
}
