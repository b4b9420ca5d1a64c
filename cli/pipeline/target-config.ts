// Which target a run drives: the embedded stack (default), or a user's deployment named by
// TARGET_URL (REST) or SUPABASE_URL (Supabase). Remote hosts need an explicit opt-in: a load
// or chaos test pointed at the wrong URL is an outage, so the default reaches loopback only.
import { isLoopbackUrl } from '../../core/loopback.js';
import { UsageError } from '../../core/usage-error.js';
import { isTargetKind, type TargetKind } from '../../core/target-kind.js';

export interface ExternalTarget {
  url: string;
  kind: TargetKind;
  apiKey: string;
  webhookSecret: string;
  databaseUrl: string | undefined;
}

export function parseKind(raw: string | undefined, fallback: TargetKind): TargetKind {
  if (raw === undefined || raw === '') return fallback;
  if (isTargetKind(raw)) return raw;
  throw new UsageError(`target kind must be 'rest' or 'supabase', got '${raw}'`);
}

/** Reads a user deployment from the environment; null means "use the embedded stack". */
export function externalTargetFromEnv(env: NodeJS.ProcessEnv, kindFlag?: string): ExternalTarget | null {
  const supabaseUrl = env.SUPABASE_URL;
  const restUrl = env.TARGET_URL;
  if (!restUrl && !supabaseUrl) return null;
  const kind = parseKind(kindFlag ?? env.TARGET_KIND, restUrl ? 'rest' : 'supabase');
  const url = (kind === 'supabase' ? supabaseUrl ?? restUrl : restUrl ?? supabaseUrl)!;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new UsageError(`target URL '${url}' is not an http(s) URL`);
  }
  if (!isLoopbackUrl(url) && env.MOSHPIT_ALLOW_REMOTE !== '1') {
    throw new UsageError(
      `refusing to send load to non-loopback target ${new URL(url).host}. ` +
        'If this is your own staging deployment, set MOSHPIT_ALLOW_REMOTE=1 to confirm.',
    );
  }
  const apiKey = kind === 'supabase' ? env.SUPABASE_SERVICE_KEY ?? env.SUPABASE_ANON_KEY ?? env.API_KEY : env.API_KEY;
  if (!apiKey) {
    throw new UsageError(kind === 'supabase' ? 'SUPABASE_SERVICE_KEY (or SUPABASE_ANON_KEY) is required for a Supabase target' : 'API_KEY is required with TARGET_URL');
  }
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET;
  if (!webhookSecret) throw new UsageError('STRIPE_WEBHOOK_SECRET (the target\'s whsec_... signing secret) is required to deliver webhooks');
  return { url: url.replace(/\/+$/, ''), kind, apiKey, webhookSecret, databaseUrl: env.DATABASE_URL };
}
