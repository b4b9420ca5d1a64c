// One HTTP call with the tags and limits every moshpit request carries. Internal to lib/targets.
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import type { CallName } from '../target.js';
import { expectedStatuses } from './expected-statuses.js';

export interface SendOptions {
  op: CallName;
  /** Route template for the `name` tag, e.g. "GET /v1/wallets/{id}": ids never become tags. */
  route: string;
  headers: Record<string, string>;
  timeoutSeconds: number;
}

export function send(method: 'GET' | 'POST', url: string, body: string | null, opts: SendOptions): RefinedResponse<ResponseType | undefined> {
  return http.request(method, url, body, {
    headers: opts.headers,
    tags: { op: opts.op, name: opts.route },
    timeout: `${opts.timeoutSeconds}s`,
    responseCallback: expectedStatuses(opts.op),
  });
}
