// The one loopback rule. Load, chaos, metrics and the reference server stay on this machine
// unless the operator confirms a remote host (MOSHPIT_ALLOW_REMOTE=1, checked by the callers):
// a typo in a URL must not send a load test, a fault or a run's data to someone else's server.
// Loopback is exactly: 127.0.0.0/8 in dotted-quad form, localhost, and ::1 (bare, or in
// brackets as URLs write it). Nothing else passes: not *.localhost names, not 0.0.0.0 or ::,
// not ::ffff:127.0.0.1, not shortened forms such as 127.1. Pure (no URL global): the k6
// bundle checks TARGET_URL with it too.

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_LOOPBACK = new RegExp(`^127\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** A host name or address as written in a URL or a listen address. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || IPV4_LOOPBACK.test(h);
}

/** The host of a URL (brackets kept for IPv6), or null when it has none. */
export function urlHost(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)/i.exec(url.trim());
  return m && m[1] ? m[1] : null;
}

export function isLoopbackUrl(url: string): boolean {
  const host = urlHost(url);
  return host !== null && isLoopbackHost(host);
}

/** A "host:port" address (Toxiproxy's listen and upstream), IPv6 hosts in brackets. */
export function isLoopbackAddress(hostPort: string): boolean {
  const colon = hostPort.lastIndexOf(':');
  return colon > 0 && isLoopbackHost(hostPort.slice(0, colon));
}
