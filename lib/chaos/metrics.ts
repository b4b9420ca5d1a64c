// The chaos flows' own metrics (names in contract.ts), through the load port.
// Tags stay low-cardinality: a result, a status, a kind, a device kind, a rule. Never ids.
import { CHAOS_METRICS } from '../../core/metric-names.js';
import type { MetricsPort } from '../../core/load-port.js';

/**
 * A money rule the platform must keep even inside a fault window (a forged webhook credited,
 * a duplicate applied twice, a replayed sync with an effect, a negative balance). A named
 * check too, so the summary says which rule.
 */
export function invariant(port: MetricsPort, rule: string, ok: boolean): boolean {
  port.check(rule, ok, { invariant: 'chaos' });
  if (!ok) port.counter(CHAOS_METRICS.violations, 1, { rule });
  return ok;
}

export function countRerouted(port: MetricsPort): void {
  port.counter(CHAOS_METRICS.rerouted, 1);
}

export function countTerminalOffline(port: MetricsPort): void {
  port.counter(CHAOS_METRICS.terminalOffline, 1);
}

export function countOfflineScan(port: MetricsPort, result: string): void {
  port.counter(CHAOS_METRICS.offlineScans, 1, { result });
}

export function countOfflineOrder(port: MetricsPort, status: string, shortfallCents: number): void {
  port.counter(CHAOS_METRICS.offlineOrders, 1, { status });
  if (shortfallCents > 0) port.counter(CHAOS_METRICS.shortfallCents, shortfallCents);
}

export type DeliveryKind = 'delayed' | 'duplicate_concurrent' | 'duplicate_late' | 'reordered' | 'forged';

export function countDelivery(port: MetricsPort, kind: DeliveryKind, n = 1): void {
  port.counter(CHAOS_METRICS.webhookDeliveries, n, { kind });
}

export function countBurstReplay(port: MetricsPort, device: 'scanner' | 'terminal', n = 1): void {
  port.counter(CHAOS_METRICS.burstReplays, n, { device });
}
