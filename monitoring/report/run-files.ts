// Everything a run left in results/<run-id>/, read leniently: a report is written for every
// run, so a missing or unreadable file becomes a note in the report, never a crash.
import { RUN_FILES } from '../../core/results-layout.js';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ChaosReport } from '../../chaos/report.js';
import type { RunMetadata } from '../../core/run-metadata.js';
import type { ChaosWindowsFile } from '../../chaos/windows-file.js';
import type { ValidationReport } from '../../validate/report/types.js';
import type { BottleneckFile, ResourceSeriesFile } from '../bottleneck/types.js';
import type { DbMonitorFile } from '../db-monitor-influx.js';
import type { LogAnalysis } from '../log-analyzer/analyze.js';
import type { InfluxRunFile } from '../telemetry/influx-run-file.js';
import { readSummaryData, type RunSummaryData } from './summary-reader.js';

/** metadata.json: the type its writer (cli/pipeline/run-metadata.ts) declares. */
export type RunMetadataFile = RunMetadata;

export interface PreflightFile {
  ready: boolean;
  verdict: string;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

export interface RunFiles {
  runId: string;
  dir: string;
  metadata: RunMetadataFile | null;
  summary: RunSummaryData | null;
  validation: ValidationReport | null;
  preflight: PreflightFile | null;
  chaos: ChaosWindowsFile | null;
  /** The chaos run's recovery analysis (cli/pipeline/chaos-run.ts). */
  chaosReport: ChaosReport | null;
  influx: InfluxRunFile | null;
  dbMonitor: DbMonitorFile | null;
  requestLog: LogAnalysis | null;
  /** Where the time went (monitoring/bottleneck/) and the CPU/RSS series behind its plot. */
  bottlenecks: BottleneckFile | null;
  resourceUsage: ResourceSeriesFile | null;
  /** Files that exist but could not be read, with why. */
  problems: string[];
}

export function readRunFiles(dir: string): RunFiles {
  const problems: string[] = [];
  const read = <T>(name: string, parse: (json: unknown) => T = (j) => j as T): T | null => {
    const path = join(dir, name);
    if (!existsSync(path)) return null;
    try {
      return parse(JSON.parse(readFileSync(path, 'utf8')));
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
      return null;
    }
  };
  const metadata = read<RunMetadataFile>(RUN_FILES.metadata);
  return {
    runId: metadata?.runId ?? basename(dir),
    dir,
    metadata,
    summary: read(RUN_FILES.summary, readSummaryData),
    validation: read<ValidationReport>(RUN_FILES.validation),
    preflight: read<PreflightFile>(RUN_FILES.preflight),
    chaos: read<ChaosWindowsFile>(RUN_FILES.chaosWindows),
    chaosReport: read<ChaosReport>(RUN_FILES.chaosReport),
    influx: read<InfluxRunFile>(RUN_FILES.influx),
    dbMonitor: read<DbMonitorFile>(RUN_FILES.dbMonitor),
    requestLog: read<LogAnalysis>(RUN_FILES.requestLog),
    bottlenecks: read<BottleneckFile>(RUN_FILES.bottlenecks),
    resourceUsage: read<ResourceSeriesFile>(RUN_FILES.resourceUsage),
    problems,
  };
}
