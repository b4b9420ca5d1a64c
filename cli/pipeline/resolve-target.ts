// Resolves the target and database a command should talk to: a user deployment from the
// environment, else the running embedded stack's state file.
import { readStackState } from '../../stack/state.js';
import type { TargetKind } from '../../core/target-kind.js';
import { externalTargetFromEnv } from './target-config.js';

export interface ResolvedTarget {
  url: string;
  kind: TargetKind;
  apiKey: string;
  webhookSecret: string;
  databaseUrl: string | undefined;
  embedded: boolean;
  defects: string[];
}

export function resolveRunningTarget(kindFlag?: string): ResolvedTarget | null {
  const external = externalTargetFromEnv(process.env, kindFlag);
  if (external) return { ...external, embedded: false, defects: [] };
  const state = readStackState();
  if (!state?.target) return null;
  return {
    url: state.target.url,
    kind: (kindFlag as TargetKind | undefined) ?? 'rest',
    apiKey: state.target.apiKey,
    webhookSecret: state.target.webhookSecret,
    databaseUrl: process.env.DATABASE_URL ?? state.postgres.url,
    embedded: true,
    defects: state.target.defects,
  };
}

/** The database a Node-side command uses: --database-url, then DATABASE_URL, then the stack's. */
export function resolveDatabaseUrl(flag: string | undefined): string | undefined {
  return flag ?? process.env.DATABASE_URL ?? readStackState()?.postgres.url;
}
