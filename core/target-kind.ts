// The two API surfaces moshpit drives (platform/API.md): 'rest', the reference REST API, and
// 'supabase', PostgREST RPC plus edge functions. --kind, TARGET_KIND and every binding use these.
export const TARGET_KINDS = ['rest', 'supabase'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export function isTargetKind(value: unknown): value is TargetKind {
  return (TARGET_KINDS as readonly unknown[]).includes(value);
}
