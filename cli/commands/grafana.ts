// `moshpit grafana`: Grafana for moshpit runs. With Docker: InfluxDB 1.8 + Grafana from
// monitoring/docker-compose.yml, provisioned from monitoring/grafana/. Without: how to point
// an installed Grafana at the same provisioning. `dashboards` regenerates the dashboard JSON
// from monitoring/grafana/definitions/ and the SLO-tier alert rules from
// monitoring/grafana/alert-rules/ (--check: fail when either is stale).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { DASHBOARD_DIR, staleDashboardFiles, writeDashboardFiles } from '../../monitoring/grafana/dashboard-files.js';
import { ALERT_RULE_PATH, alertRuleFileIsStale, writeAlertRuleFile } from '../../monitoring/grafana/alert-rules/alert-rule-file.js';
import { which } from '../../stack/exec.js';
import { influxInstanceDir, startInflux, stopInfluxInstance } from '../../stack/influxdb.js';
import { projectRoot } from '../../stack/paths.js';

const COMPOSE_FILE = join(projectRoot, 'monitoring', 'docker-compose.yml');
const PROVISIONING = join(projectRoot, 'monitoring', 'grafana', 'provisioning');

const GUIDE = `Grafana for moshpit runs

With Docker (InfluxDB 1.8 on 127.0.0.1:8086, Grafana on 127.0.0.1:3000, anonymous viewer):
  moshpit grafana up                  # docker compose -f monitoring/docker-compose.yml up -d
  moshpit scenario full --influx-url http://127.0.0.1:8086
  open http://127.0.0.1:3000          # folder "moshpit": Run overview, Money, Gates, Database;
                                      # pick the run in "Run" and set the time range to the run
  moshpit grafana down

Without Docker: moshpit's own InfluxDB (no Grafana needed for the run report):
  moshpit scenario full --influx      # this checkout's influxd on 127.0.0.1 (port printed); a run
                                      # stops it again unless it was already running, so for
  moshpit grafana influx-up           # Grafana keep it up with this (influx-down stops it)
  and a Grafana you installed yourself, provisioned from this checkout:
    cp -r ${PROVISIONING}/* /etc/grafana/provisioning/
    MOSHPIT_GRAFANA_INFLUX_URL=http://127.0.0.1:<influxd port> \\
    MOSHPIT_GRAFANA_DASHBOARDS=${DASHBOARD_DIR} grafana-server ...

Datasources (fixed uids the dashboards use): moshpit-k6 (database k6, k6's metrics) and
moshpit-runs (database moshpit: db monitor, annotations, verdicts, thresholds).
Alert rules for the SLO tiers (warn, page, critical, rollback; 5-minute buckets, one alert
per run): provisioning/alerting/moshpit-slo-tiers.yml, in the same "moshpit" folder.
Every run also writes results/<run-id>/report.html from the same queries.`;

function compose(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['compose', '-f', COMPOSE_FILE, ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const command: Command = {
  summary: 'Grafana for runs: docker compose up/down (if Docker is there), instructions, dashboards',
  usage: [
    'usage: moshpit grafana [guide|up|down|influx-up|influx-down|dashboards [--check]]',
    '',
    '  guide              how to read runs in Grafana, with or without Docker (default)',
    '  up / down          docker compose -f monitoring/docker-compose.yml up -d / down',
    '  influx-up          start this checkout\'s InfluxDB (no Docker) and leave it running, so',
    '                     runs with --influx stream into it and Grafana can read it',
    '  influx-down        stop it (by the PID in its instance directory)',
    '  dashboards         regenerate monitoring/grafana/dashboards/*.json from definitions/ and',
    '                     provisioning/alerting/moshpit-slo-tiers.yml from alert-rules/',
    '  dashboards --check exit 1 when those files differ from what their sources generate',
  ].join('\n'),
  async run(argv) {
    const [sub = 'guide', ...rest] = argv;
    switch (sub) {
      case 'guide':
        if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
        process.stdout.write(`${GUIDE}\n`);
        return 0;
      case 'up':
      case 'down': {
        if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
        if (!(await which('docker'))) {
          process.stderr.write(`Docker is not installed here, so there is no compose stack to bring ${sub}.\n\n${GUIDE}\n`);
          return 1;
        }
        const code = await compose(sub === 'up' ? ['up', '-d'] : ['down']);
        if (code === 0 && sub === 'up') {
          process.stdout.write('Grafana: http://127.0.0.1:3000 (folder "moshpit"); InfluxDB: http://127.0.0.1:8086\n' +
            'Stream a run there: moshpit scenario <name> --influx-url http://127.0.0.1:8086\n');
        }
        return code;
      }
      case 'influx-up': {
        const influx = await startInflux();
        process.stdout.write(`InfluxDB ${influx.adopted ? 'already running' : 'started'} at ${influx.url} (pid ${influx.process.pid}); ` +
          `runs with --influx stream here.\nGrafana: MOSHPIT_GRAFANA_INFLUX_URL=${influx.url}\n`);
        return 0;
      }
      case 'influx-down': {
        const pid = await stopInfluxInstance(await influxInstanceDir());
        process.stdout.write(pid === null ? 'InfluxDB was not running\n' : `stopped InfluxDB (pid ${pid})\n`);
        return 0;
      }
      case 'dashboards': {
        const check = rest.includes('--check');
        if (rest.some((a) => a !== '--check')) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
        if (check) {
          const stale = staleDashboardFiles();
          if (alertRuleFileIsStale()) stale.push(ALERT_RULE_PATH);
          if (stale.length) {
            process.stderr.write(`stale Grafana provisioning (run 'moshpit grafana dashboards'): ${stale.join(', ')}\n`);
            return 1;
          }
          process.stdout.write('dashboard JSON and alert rules match their sources\n');
          return 0;
        }
        for (const f of [...writeDashboardFiles(), writeAlertRuleFile()]) process.stdout.write(`${f}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown subcommand '${sub}'`);
    }
  },
};
export default command;
