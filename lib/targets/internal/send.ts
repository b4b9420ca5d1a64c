// One HTTP call with the tags and limits every moshpit request carries, sent through the
// LoadPort. Internal to lib/targets (and lib/chaos, which batches prepared requests).
import type { ExpectedStatusSet, HttpRequest, HttpResponse, LoadPort, Tags } from '../../../core/load-port.js';
import type { CallName } from '../target.js';
import { expectedStatuses } from './expected-statuses.js';

export interface SendOptions {
  op: CallName;
  /** Route template for the `name` tag, e.g. "GET /v1/wallets/{id}": ids never become tags. */
  route: string;
  headers: Record<string, string>;
  timeoutSeconds: number;
  /** Overrides the op's set (e.g. 'refusal' for a forged webhook that must get 400). */
  expected?: ExpectedStatusSet;
  /** Extra low-cardinality tags; may replace the `op` tag's value (e.g. offline_sync). */
  tags?: Tags;
}

/** The request send() would make, for LoadPort.batch. */
export function httpRequest(method: 'GET' | 'POST', url: string, body: string | null, opts: SendOptions): HttpRequest {
  return {
    method,
    url,
    body,
    headers: opts.headers,
    timeoutSeconds: opts.timeoutSeconds,
    tags: { op: opts.op, name: opts.route, ...opts.tags },
    expected: opts.expected ?? expectedStatuses(opts.op),
  };
}

export function send(port: LoadPort, method: 'GET' | 'POST', url: string, body: string | null, opts: SendOptions): Promise<HttpResponse> {
  return port.request(httpRequest(method, url, body, opts));
}
