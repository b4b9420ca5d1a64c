// What a chaos flow runs with: the engine's FlowContext, with the chaos runtime's adjusted
// Runtime (retry policy, carved partition) and a Target that tags the phase and reroutes
// offline doors. Built per iteration, so per-VU state (the reroute memory) never leaks
// between VUs sharing this module.
import type { FlowContext } from '../flow-context.js';
import { ChaosTarget } from './chaos-target.js';
import { chaosSeconds } from './clock.js';
import type { ChaosRuntime } from './runtime.js';

export interface ChaosContext extends FlowContext {
  chaos: ChaosRuntime;
}

export function chaosContext(chaos: ChaosRuntime, ctx: FlowContext): ChaosContext {
  return { ...ctx, rt: chaos.rt, target: new ChaosTarget(ctx.target, ctx.port, chaos), chaos };
}

/** Timeline seconds now; the device flows cannot play a timeline without a clock. */
export function requireSeconds(ctx: ChaosContext): number {
  const now = chaosSeconds(ctx.chaos.clock);
  if (now === null) throw new Error('moshpit chaos: the chaos clock has no t0 (MOSHPIT_CHAOS_JSON t0Ms, or k6 setup data)');
  return now;
}
