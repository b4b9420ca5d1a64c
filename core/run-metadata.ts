// results/<run-id>/metadata.json: enough to reproduce and compare a run later. Written by the
// pipeline (cli/pipeline/run-metadata.ts), read by the report, compare and CI.
export interface RunMetadata {
  runId: string;
  scenario: string;
  profile: string;
  target: { kind: string; url: string; embedded: boolean; defects: string[] };
  /** The load engine and its version (artillery from node_modules, or the user's k6). */
  engine: { name: string; version: string };
  gitRevision: string | null;
  node: string;
  startedAt: string;
  finishedAt?: string;
  exit?: { load: number | null; thresholds: 'passed' | 'failed' | 'skipped'; validation: 'passed' | 'failed' | 'skipped'; preflight: 'ready' | 'not-ready' | 'skipped'; code: number };
}
