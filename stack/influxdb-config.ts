// influxd.conf for our instance: every listener on 127.0.0.1 and off its default port,
// every directory under the instance dir, no phoning home, no side-door listeners.
import type { InfluxPorts } from './influxdb-ports.js';

export interface InfluxDirs { meta: string; data: string; wal: string }

const q = (s: string) => JSON.stringify(s); // TOML basic strings share JSON's escaping

export function renderInfluxConfig(ports: InfluxPorts, dirs: InfluxDirs): string {
  return `# Written by moshpit (stack/influxdb-config.ts) on each start; edits are overwritten.
# Debian's 1.x build reads reporting-enabled, upstream 1.x reads reporting-disabled: set both.
reporting-enabled = false
reporting-disabled = true
# RPC/backup service: loopback, non-default port.
bind-address = ${q(`127.0.0.1:${ports.rpc}`)}

[meta]
  dir = ${q(dirs.meta)}

[data]
  dir = ${q(dirs.data)}
  wal-dir = ${q(dirs.wal)}
  # One log line per query would bury real errors (Grafana polls constantly).
  query-log-enabled = false

[monitor]
  # No _internal database written every 10 s; we never read it.
  store-enabled = false

[subscriber]
  enabled = false

[http]
  enabled = true
  bind-address = ${q(`127.0.0.1:${ports.http}`)}
  # Loopback only and disposable data: no auth, as for the private PostgreSQL cluster.
  auth-enabled = false
  # k6 writes every second: an access log line each would dwarf everything else.
  log-enabled = false
  pprof-enabled = false
  unix-socket-enabled = false

[logging]
  level = "info"
  suppress-logo = true

[continuous_queries]
  enabled = true
  log-enabled = false

[[graphite]]
  enabled = false

[[collectd]]
  enabled = false

[[opentsdb]]
  enabled = false

[[udp]]
  enabled = false
`;
}
