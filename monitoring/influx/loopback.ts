// Metrics and annotations go only to this machine unless the operator says otherwise:
// a typo in a URL must not ship a run's data (or load) to some other host.
import { isLoopbackHost } from '../../core/loopback.js';

export class RemoteInfluxRefused extends Error {}

/** Parses an InfluxDB base URL; refuses a non-loopback host unless MOSHPIT_ALLOW_REMOTE=1. */
export function checkInfluxUrl(raw: string, env: NodeJS.ProcessEnv = process.env): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`InfluxDB URL must be http(s), got ${u.protocol}`);
  if (!isLoopbackHost(u.hostname) && env.MOSHPIT_ALLOW_REMOTE !== '1') {
    throw new RemoteInfluxRefused(
      `refusing to talk to InfluxDB at ${u.host}: not a loopback address. ` +
        'Set MOSHPIT_ALLOW_REMOTE=1 if you really mean a remote server.',
    );
  }
  return u;
}
