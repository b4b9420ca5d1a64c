// Keep-alive HTTP for every VU of the process: one undici Agent, so connections are reused
// across arrivals and a new arrival costs no TCP handshake.
import { Agent, request } from 'undici';
import type { HttpRequest, HttpResponse } from '../../../core/load-port.js';

const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });

function isTimeout(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
}

export async function send(req: HttpRequest): Promise<HttpResponse> {
  const started = performance.now();
  const timeoutMs = Math.max(1, req.timeoutSeconds * 1000);
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? undefined,
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.body.text();
    const headers = res.headers;
    return {
      status: res.statusCode,
      body,
      header: (name) => {
        const v = headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
      durationMs: performance.now() - started,
      error: null,
    };
  } catch (err) {
    return { status: 0, body: null, header: () => null, durationMs: performance.now() - started, error: isTimeout(err) ? 'timeout' : 'network_error' };
  }
}

export async function closeHttp(): Promise<void> {
  await agent.close();
}
