// The run's load verdict, ours whatever the engine: merge every process's metrics stream in
// results/<run-id>/streams/, evaluate the thresholds table, and write summary.json (k6's
// handleSummary shape plus a "moshpit" block), summary.txt, summary.md and junit.xml.
import { RUN_DIRS, RUN_FILES } from '../../core/results-layout.js';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeStreams, parseStreamText, type MergedRun, type SourceInfo } from '../../core/metrics-stream/merge.js';
import { sloBuckets } from '../../core/metrics-stream/slo-buckets.js';
import { parseT0, T0_FILE } from '../../core/start-barrier.js';
import { evaluateSloTiers, sloVerdict, type SloPolicy, type SloTimeline, type SloVerdict } from '../../core/slo-tiers.js';
import { evaluateThresholds, k6ShapedSummary, type ThresholdOutcome } from '../../core/metrics-stream/summary.js';
import type { Thresholds } from '../../core/thresholds.js';
import { renderJunit } from '../../lib/summary/junit.js';
import { renderMarkdown } from '../../lib/summary/markdown.js';
import { renderSloTimelineMarkdown } from '../../lib/summary/slo-timeline.js';
import type { RunInfo } from '../../lib/summary/report.js';
import { readSummary } from '../../lib/summary/summary-data.js';
import { renderText } from '../../lib/summary/text.js';

export interface LoadVerdict {
  thresholdsOk: boolean;
  outcomes: ThresholdOutcome[];
  sources: SourceInfo[];
  /** Things a reader must know: a process that died mid-run, flows that threw. */
  notes: string[];
  text: string;
  /** The SLO tiers per time bucket and what the policy makes of them; null when not asked for. */
  slo: (SloVerdict & { timeline: SloTimeline }) | null;
}

/** How to judge the SLO tiers: bucket length, the run's t0 (null: read from the start barrier). */
export interface SloJudgement { bucketSeconds: number; t0Ms: number | null; policy: SloPolicy }

/** t0 as the pipeline saw it, else the start barrier's file, else the first process's start. */
function runT0(resultsDir: string, given: number | null, merged: MergedRun): number | null {
  if (given !== null) return given;
  const file = join(resultsDir, 'engine', 'start', T0_FILE);
  const fromFile = existsSync(file) ? parseT0(readFileSync(file, 'utf8')) : null;
  return fromFile ?? merged.startedAt;
}

export function readRunStreams(resultsDir: string): MergedRun {
  const dir = join(resultsDir, RUN_DIRS.streams);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  if (files.length === 0) throw new Error(`no metrics streams in ${dir}: the load did not start`);
  return mergeStreams(files.map((f) => ({ name: f, records: parseStreamText(f, readFileSync(join(dir, f), 'utf8')) })));
}

function notesOf(run: MergedRun): string[] {
  const notes: string[] = [];
  for (const s of run.sources) {
    if (s.endedAt === null) notes.push(`${s.source}: its stream has no end record (the process was stopped or died); its samples up to then are counted`);
    const flowErrors = Number(s.endInfo.flowErrors ?? 0);
    if (flowErrors > 0) notes.push(`${s.source}: ${flowErrors} iteration(s) threw (moshpit_flow_errors); see results/<run-id>/engine/${s.source}.log`);
  }
  return notes;
}

/** `notes`: what the caller knows a reader must (e.g. samples left out of a readback). */
export function judgeRun(opts: { resultsDir: string; run: RunInfo; thresholds: Thresholds; engine: string; extra?: Record<string, unknown>; slo?: SloJudgement; notes?: string[] }): LoadVerdict {
  const merged = readRunStreams(opts.resultsDir);
  const outcomes = evaluateThresholds(merged, opts.thresholds);
  const notes = [...(opts.notes ?? []), ...notesOf(merged)];
  let slo: LoadVerdict['slo'] = null;
  const t0Ms = opts.slo ? runT0(opts.resultsDir, opts.slo.t0Ms, merged) : null;
  if (opts.slo && t0Ms !== null) {
    const timeline = evaluateSloTiers(sloBuckets(merged, t0Ms, opts.slo.bucketSeconds), t0Ms, opts.slo.bucketSeconds);
    slo = { ...sloVerdict(timeline, opts.slo.policy), timeline };
  }
  const data = {
    ...k6ShapedSummary(merged, outcomes),
    moshpit: {
      ...opts.run,
      engine: opts.engine,
      summaryFormat: 'legacy',
      sources: merged.sources,
      thresholds: outcomes,
      notes,
      ...(slo ? { sloTiers: { ...slo.timeline, policy: opts.slo!.policy, verdict: { ok: slo.ok, highest: slo.highest, rollback: slo.rollback, text: slo.text } } } : {}),
      ...(opts.extra ?? {}),
    },
  };
  const view = readSummary(data);
  const text = renderText(view, opts.run) + (slo ? `\nSLO tiers: ${slo.text}\n` : '') + (notes.length ? `\nnotes:\n${notes.map((n) => `  - ${n}`).join('\n')}\n` : '');
  writeFileSync(join(opts.resultsDir, RUN_FILES.summary), JSON.stringify(data, null, 2));
  writeFileSync(join(opts.resultsDir, RUN_FILES.summaryText), text);
  writeFileSync(join(opts.resultsDir, RUN_FILES.junit), renderJunit(view, opts.run, slo));
  writeFileSync(join(opts.resultsDir, RUN_FILES.summaryMarkdown), renderMarkdown(view, opts.run) + (slo ? renderSloTimelineMarkdown(slo.timeline, slo) : '') + (notes.length ? `\n## Notes\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''));
  return { thresholdsOk: outcomes.every((o) => o.ok), outcomes, sources: merged.sources, notes, text, slo };
}
