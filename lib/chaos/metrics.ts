// The chaos bundle's own metrics (names in contract.ts), created in the init context.
// Tags stay low-cardinality: a result, a status, a kind, a device kind. Never ids.
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { CHAOS_METRICS } from './contract.js';

const violations = new Counter(CHAOS_METRICS.violations);
const rerouted = new Counter(CHAOS_METRICS.rerouted);
const terminalOffline = new Counter(CHAOS_METRICS.terminalOffline);
const offlineScans = new Counter(CHAOS_METRICS.offlineScans);
const offlineOrders = new Counter(CHAOS_METRICS.offlineOrders);
const shortfallCents = new Counter(CHAOS_METRICS.shortfallCents);
const webhookDeliveries = new Counter(CHAOS_METRICS.webhookDeliveries);
const burstReplays = new Counter(CHAOS_METRICS.burstReplays);

/**
 * A money rule the platform must keep even inside a fault window (a forged webhook credited,
 * a duplicate applied twice, a replayed sync with an effect, a negative balance). A named
 * check too, so the summary says which rule.
 */
export function invariant(rule: string, ok: boolean): boolean {
  check(null, { [rule]: () => ok }, { invariant: 'chaos' });
  if (!ok) violations.add(1, { rule });
  return ok;
}

export function countRerouted(): void {
  rerouted.add(1);
}

export function countTerminalOffline(): void {
  terminalOffline.add(1);
}

export function countOfflineScan(result: string): void {
  offlineScans.add(1, { result });
}

export function countOfflineOrder(status: string, shortfall: number): void {
  offlineOrders.add(1, { status });
  if (shortfall > 0) shortfallCents.add(shortfall);
}

export type DeliveryKind = 'delayed' | 'duplicate_concurrent' | 'duplicate_late' | 'reordered' | 'forged';

export function countDelivery(kind: DeliveryKind, n = 1): void {
  webhookDeliveries.add(n, { kind });
}

export function countBurstReplay(device: 'scanner' | 'terminal', n = 1): void {
  burstReplays.add(n, { device });
}
