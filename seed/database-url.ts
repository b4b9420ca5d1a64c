// Which database the seed, rollback and monitor talk to: --database-url, else DATABASE_URL,
// else the running stack's state file (stack/state.ts, written by `moshpit stack up`).

const NO_DATABASE =
  'no database to use: pass --database-url postgres://user@127.0.0.1:5432/db, set DATABASE_URL, ' +
  "or start the local stack with 'moshpit stack up'";

export async function resolveDatabaseUrl(flag?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (flag) return flag;
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const fromStack = await databaseUrlFromStackState();
  if (fromStack) return fromStack;
  throw new Error(NO_DATABASE);
}

// Imported lazily: a user's own database needs no stack, and the stack module pulls in more.
async function databaseUrlFromStackState(): Promise<string | null> {
  const { readStackState } = await import('../stack/state.js');
  return readStackState()?.postgres.url || null;
}

/** 'host:port/db' for manifests and messages: never the user name or password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return '(unparseable database URL)';
  }
}
