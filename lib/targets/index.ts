// Public entry of lib/targets: pick the adapter for TARGET_KIND. Flows import types from here.
import type { LoadPort } from '../../core/load-port.js';
import type { TargetKind } from '../../core/target-kind.js';
import { RestTarget } from './rest.js';
import { SupabaseTarget } from './supabase.js';
import type { Target } from './target.js';

export type * from './target.js';

/** Requests go out through `port`; cheap to build (flowContext() makes one per iteration). */
export function createTarget(port: LoadPort, kind: TargetKind, baseUrl: string, apiKey: string, timeoutSeconds: number): Target {
  return kind === 'supabase' ? new SupabaseTarget(port, baseUrl, apiKey, timeoutSeconds) : new RestTarget(port, baseUrl, apiKey, timeoutSeconds);
}
