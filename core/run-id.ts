// Run ids name results/<run-id>/ and prefix every idempotency key the run sends.
// Sortable by time, readable, and safe in paths, SQL LIKE patterns and Influx tags.
export function newRunId(scenario: string, now: Date = new Date(), random: () => number = Math.random): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const suffix = Math.floor(random() * 0xffff).toString(16).padStart(4, '0');
  return `${stamp}-${scenario}-${suffix}`;
}
