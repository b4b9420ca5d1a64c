// Route table types and matching. Routes are few and fixed, so matching is a linear scan over
// pre-split templates; the template (never the raw path) is what the request log records.
import type { IncomingMessage } from 'node:http';
import type { AuthScheme } from './api-key.js';
import type { ServerDefect } from './defects.js';
import type { LogOperation, Surface } from './request-log.js';

export type ErrorStyle = 'rest' | 'rpc';
export type Method = 'GET' | 'POST';

/** Per-request state; handlers fill in what the request log should say about them. */
export interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  op: LogOperation | null;
  walletId: string | null;
  replayed: boolean;
  defect: ServerDefect | null;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: Method;
  template: string;
  surface: Surface;
  /** 'none': public (health) or authenticated by other means (Stripe signature). */
  auth: AuthScheme | 'none';
  errorStyle: ErrorStyle;
  op: LogOperation | null;
  /** Subject to MOSHPIT_SLOW_MS (everything but health). */
  slow: boolean;
  handle(ctx: RequestContext): Promise<Reply>;
}

interface CompiledRoute { route: Route; segments: string[] }

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: Method[]; template: string }
  | { kind: 'not_found' };

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => ({ route, segments: route.template.split('/') }));
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/');
    const allow: Method[] = [];
    let template: string | undefined;
    for (const { route, segments } of this.compiled) {
      const params = matchSegments(segments, parts);
      if (params === null) continue;
      if (route.method === method) return { kind: 'found', route, params };
      allow.push(route.method);
      template ??= route.template;
    }
    return template === undefined ? { kind: 'not_found' } : { kind: 'method_not_allowed', allow, template };
  }
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | null {
  if (template.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const p = parts[i]!;
    if (t.startsWith(':')) {
      if (p.length === 0) return null;
      params[t.slice(1)] = p;
    } else if (t !== p) {
      return null;
    }
  }
  return params;
}
