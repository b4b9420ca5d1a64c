// The run's load verdict, ours whatever the engine: merge every process's metrics stream in
// results/<run-id>/streams/, evaluate the thresholds table, and write summary.json (k6's
// handleSummary shape plus a "moshpit" block), summary.txt, summary.md and junit.xml.
import { RUN_DIRS, RUN_FILES } from '../../core/results-layout.js';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeStreams, parseStreamText, type MergedRun, type SourceInfo } from '../../core/metrics-stream/merge.js';
import { evaluateThresholds, k6ShapedSummary, type ThresholdOutcome } from '../../core/metrics-stream/summary.js';
import type { Thresholds } from '../../core/thresholds.js';
import { renderJunit } from '../../lib/summary/junit.js';
import { renderMarkdown } from '../../lib/summary/markdown.js';
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

export function judgeRun(opts: { resultsDir: string; run: RunInfo; thresholds: Thresholds; engine: string; extra?: Record<string, unknown> }): LoadVerdict {
  const merged = readRunStreams(opts.resultsDir);
  const outcomes = evaluateThresholds(merged, opts.thresholds);
  const notes = notesOf(merged);
  const data = {
    ...k6ShapedSummary(merged, outcomes),
    moshpit: {
      ...opts.run,
      engine: opts.engine,
      summaryFormat: 'legacy',
      sources: merged.sources,
      thresholds: outcomes,
      notes,
      ...(opts.extra ?? {}),
    },
  };
  const view = readSummary(data);
  const text = renderText(view, opts.run) + (notes.length ? `\nnotes:\n${notes.map((n) => `  - ${n}`).join('\n')}\n` : '');
  writeFileSync(join(opts.resultsDir, RUN_FILES.summary), JSON.stringify(data, null, 2));
  writeFileSync(join(opts.resultsDir, RUN_FILES.summaryText), text);
  writeFileSync(join(opts.resultsDir, RUN_FILES.junit), renderJunit(view, opts.run));
  writeFileSync(join(opts.resultsDir, RUN_FILES.summaryMarkdown), renderMarkdown(view, opts.run) + (notes.length ? `\n## Notes\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''));
  return { thresholdsOk: outcomes.every((o) => o.ok), outcomes, sources: merged.sources, notes, text };
}
