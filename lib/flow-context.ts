// What one iteration of a flow works with. Built per iteration by the binding: under Artillery
// many iterations share one module instance, so everything per-VU or per-iteration travels
// here, never in module state. rt is per process and read-only once the run starts.
import type { IterationInfo, LoadPort } from '../core/load-port.js';
import type { Runtime } from './runtime.js';
import { createTarget, type Target } from './targets/index.js';

export interface FlowContext {
  rt: Runtime;
  port: LoadPort;
  target: Target;
  it: IterationInfo;
}

/** One iteration of a workload. */
export type Flow = (ctx: FlowContext) => Promise<void>;

/** Builds a Target; a binding may bring its own (the Node one drives Supabase through supabase-js). */
export type TargetFactory = typeof createTarget;

export function flowContext(rt: Runtime, port: LoadPort, makeTarget: TargetFactory = createTarget): FlowContext {
  const target = makeTarget(port, rt.config.targetKind, rt.config.targetUrl, rt.config.apiKey, rt.profile.client.timeoutSeconds);
  return { rt, port, target, it: port.iteration };
}
