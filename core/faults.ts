// The fault catalogue: every fault a timeline may name, its kind (who executes it), its
// parameters with defaults and bounds, and for toxic faults the Toxiproxy toxic it becomes.
//   toxic   - the chaos controller, through Toxiproxy in front of PostgreSQL
//   client  - the load processes (webhook sender, scanners, terminals) reading the timeline
//   process - the orchestrator (kills/restarts the target)
// In core/ because both sides read it: the orchestrator validates timelines against it, and the
// load (any engine) takes a client fault's parameter defaults from it (paramNumber).

/** Toxiproxy's names: the toxics moshpit uses, and the direction a toxic acts on. */
export type ToxicType = 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';
export type Stream = 'upstream' | 'downstream';

export type FaultKind = 'toxic' | 'client' | 'process';
export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

export type ParamSpec =
  | { type: 'number'; default: number; min: number; max: number; integer?: boolean; doc: string }
  | { type: 'enum'; default: string; values: readonly string[]; doc: string }
  | { type: 'boolean'; default: boolean; doc: string };

export type ToxicAction = { via: 'toxic'; toxic: ToxicType } | { via: 'disable-proxy' };

export interface FaultDefinition {
  name: string;
  kind: FaultKind;
  description: string;
  /** toxic kind only: what the controller does through Toxiproxy */
  action?: ToxicAction;
  params: Record<string, ParamSpec>;
  /** Cross-parameter rule; returns a problem or null. */
  check?: (p: Params) => string | null;
}

const ms = (def: number, doc: string): ParamSpec => ({ type: 'number', default: def, min: 0, max: 600_000, integer: true, doc });
const fraction = (def: number, doc: string): ParamSpec => ({ type: 'number', default: def, min: 0, max: 1, doc });

// Every toxic accepts these two; Toxiproxy applies toxics to the server->client side by default.
const TOXIC_COMMON: Record<string, ParamSpec> = {
  toxicity: fraction(1, 'fraction of connections affected'),
  stream: { type: 'enum', default: 'downstream', values: ['downstream', 'upstream'] satisfies Stream[], doc: 'downstream = DB -> target' },
};

function toxicFault(name: string, toxic: ToxicType, description: string, params: Record<string, ParamSpec>, check?: FaultDefinition['check']): FaultDefinition {
  return { name, kind: 'toxic', description, action: { via: 'toxic', toxic }, params: { ...params, ...TOXIC_COMMON }, check };
}

const DEFINITIONS: FaultDefinition[] = [
  toxicFault('db-latency', 'latency', 'every DB response delayed by latency ± jitter ms', {
    latency: ms(500, 'added delay, ms'),
    jitter: ms(100, 'random ± spread, ms'),
  }),
  toxicFault('db-reset', 'reset_peer', 'DB connections reset (TCP RST) after timeout ms; new ones too', {
    timeout: ms(0, 'ms before the reset; 0 = at once'),
  }),
  toxicFault('db-timeout', 'timeout', 'DB stops answering; connections closed after timeout ms (0 = hang)', {
    timeout: ms(5000, 'ms before the connection is closed; 0 = never'),
  }),
  toxicFault('db-bandwidth', 'bandwidth', 'DB link squeezed to rate KB/s', {
    rate: { type: 'number', default: 32, min: 0, max: 10_000_000, integer: true, doc: 'KB/s' },
  }),
  toxicFault('db-slicer', 'slicer', 'DB packets sliced into small pieces with a delay between them', {
    average_size: { type: 'number', default: 64, min: 1, max: 65_536, integer: true, doc: 'bytes per slice' },
    size_variation: { type: 'number', default: 32, min: 0, max: 65_536, integer: true, doc: 'bytes ± per slice' },
    delay: { type: 'number', default: 500, min: 0, max: 10_000_000, integer: true, doc: 'µs between slices' },
  }, (p) => (Number(p.size_variation) < Number(p.average_size) ? null : 'size_variation must be smaller than average_size')),
  toxicFault('db-limit-data', 'limit_data', 'DB connections closed after bytes transferred', {
    bytes: { type: 'number', default: 65_536, min: 0, max: 1e12, integer: true, doc: 'bytes before the close' },
  }),
  { name: 'db-down', kind: 'toxic', description: 'DB proxy disabled: connections dropped and refused', action: { via: 'disable-proxy' }, params: {} },

  { name: 'webhook-delay', kind: 'client', description: 'Stripe webhooks delivered late', params: {
    delayS: { type: 'number', default: 30, min: 0, max: 3600, doc: 'seconds each delivery is held back' } } },
  { name: 'webhook-dup', kind: 'client', description: 'Stripe webhooks delivered twice (must credit once)', params: {
    rate: fraction(0.2, 'fraction of deliveries duplicated') } },
  { name: 'webhook-reorder', kind: 'client', description: 'Stripe webhooks delivered out of order', params: {
    windowS: { type: 'number', default: 10, min: 0, max: 600, doc: 'seconds of events shuffled together' } } },
  { name: 'bad-signature', kind: 'client', description: 'webhooks with a wrong signature (must be rejected, never credited)', params: {
    rate: fraction(0.05, 'fraction of deliveries with a bad signature') } },
  { name: 'scanner-offline', kind: 'client', description: 'entry scanners offline, then syncing their queued scans', params: {
    gateways: { type: 'number', default: 1, min: 1, max: 1000, integer: true, doc: 'gateways offline' },
    scansPerMin: { type: 'number', default: 30, min: 0, max: 6000, doc: 'scans an offline scanner queues per minute' } } },
  { name: 'concession-offline', kind: 'client', description: 'bar terminals offline, then syncing their queued sales', params: {
    terminals: { type: 'number', default: 1, min: 1, max: 1000, integer: true, doc: 'terminals offline' },
    salesPerMin: { type: 'number', default: 30, min: 0, max: 6000, doc: 'sales an offline terminal takes per minute' },
    spendElsewhereRate: fraction(0.3, 'fraction of offline sales whose wallet also spends online meanwhile') } },
  { name: 'target-crash', kind: 'process', description: 'target killed at the window start, restarted at its end', params: {
    signal: { type: 'enum', default: 'SIGKILL', values: ['SIGKILL', 'SIGTERM'], doc: 'signal sent to the target' },
    restart: { type: 'boolean', default: true, doc: 'restart the target at the window end' } } },
];

export const FAULTS: ReadonlyMap<string, FaultDefinition> = new Map(DEFINITIONS.map((d) => [d.name, d]));

export function faultNames(): string[] {
  return [...FAULTS.keys()];
}

export function faultDefinition(name: string): FaultDefinition | undefined {
  return FAULTS.get(name);
}

/**
 * A numeric parameter of a window: its own value, else the catalogue's default. Timelines
 * carry every default already (chaos/timeline.ts); this is for a window built by hand.
 */
export function paramNumber(w: { fault: string; params: Params }, name: string): number {
  const v = w.params[name];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const spec = FAULTS.get(w.fault)?.params[name];
  if (spec?.type !== 'number') throw new Error(`fault '${w.fault}' has no numeric parameter '${name}'`);
  return spec.default;
}
