// Public entry of lib/targets: pick the adapter for TARGET_KIND. Flows import types from here.
import type { TargetKind } from '../config.js';
import { RestTarget } from './rest.js';
import { SupabaseTarget } from './supabase.js';
import type { Target } from './target.js';

export type * from './target.js';

export function createTarget(kind: TargetKind, baseUrl: string, apiKey: string, timeoutSeconds: number): Target {
  return kind === 'supabase' ? new SupabaseTarget(baseUrl, apiKey, timeoutSeconds) : new RestTarget(baseUrl, apiKey, timeoutSeconds);
}
