// `moshpit generate-report`: results/<run-id>/report.html (self-contained) and report.md for a
// run, from its files and, when it streamed there, InfluxDB. Runs also get one automatically.
import { parseOptions } from '../options.js';
import { UsageError } from '../../core/usage-error.js';
import type { Command } from '../command.js';
import { generateRunReport } from '../../monitoring/report/generate.js';
import { resolveRunDir } from '../../monitoring/report/run-lookup.js';
import { resultsDir } from '../../stack/paths.js';

const command: Command = {
  summary: 'write a run\'s report.html (charts, verdict, money, validation) and report.md',
  usage: [
    'usage: moshpit generate-report [--run <id|path> | --latest] [--no-influx]',
    '',
    '  --run ID         the run (a run id under results/, or a path to a run directory)',
    '  --latest         the latest run (default)',
    '  --no-influx      do not read InfluxDB even if the run streamed there (summary-only report)',
    '',
    'Writes results/<run-id>/report.html and report.md and prints their paths. Time series come',
    'from InfluxDB when the run used --influx (this checkout\'s influxd is started for the read',
    'if needed); otherwise the report says so and shows whole-run figures.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseOptions({ args: argv, strict: true, allowPositionals: false, options: { run: { type: 'string' }, latest: { type: 'boolean' }, 'no-influx': { type: 'boolean' } } });
    if (values.run && values.latest) throw new UsageError('give --run or --latest, not both');
    let dir: string;
    try {
      dir = resolveRunDir(values.run ?? 'latest', resultsDir);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const r = await generateRunReport(dir, { noInflux: values['no-influx'] });
    for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
    process.stdout.write(`${r.html} (${Math.round(r.htmlBytes / 1024)} KiB, time series from ${r.timeSeries === 'influxdb' ? 'InfluxDB' : 'the summary only'})\n${r.markdown}\n`);
    return 0;
  },
};
export default command;
