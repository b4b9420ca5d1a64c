// Reads monitoring/db-monitor.sql: each query follows a `-- name: <name>` line and runs until
// the next one. The file stays plain SQL so `psql -f` runs it as is.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DB_MONITOR_SQL = join(dirname(fileURLToPath(import.meta.url)), 'db-monitor.sql');

export interface NamedQuery { name: string; description: string; sql: string }

export function parseNamedQueries(text: string): NamedQuery[] {
  const queries: NamedQuery[] = [];
  let current: { name: string; lines: string[] } | null = null;
  const finish = () => {
    if (!current) return;
    const comments = current.lines.filter((l) => l.trim().startsWith('--')).map((l) => l.trim().replace(/^--\s?/, ''));
    const sql = current.lines.filter((l) => !l.trim().startsWith('--')).join('\n').trim().replace(/;\s*$/, '');
    if (!sql) throw new Error(`monitoring query '${current.name}' has no SQL`);
    if (sql.includes(';')) throw new Error(`monitoring query '${current.name}' holds more than one statement`);
    queries.push({ name: current.name, description: comments.join(' '), sql });
  };
  for (const line of text.split('\n')) {
    const m = /^--\s*name:\s*([a-z0-9_]+)\s*$/i.exec(line.trim());
    if (m) {
      finish();
      current = { name: m[1]!, lines: [] };
    } else if (current) {
      current.lines.push(line);
    }
  }
  finish();
  return queries;
}

let cached: Map<string, NamedQuery> | null = null;

export function monitoringQueries(path = DB_MONITOR_SQL): Map<string, NamedQuery> {
  if (path !== DB_MONITOR_SQL) return new Map(parseNamedQueries(readFileSync(path, 'utf8')).map((q) => [q.name, q]));
  cached ??= new Map(parseNamedQueries(readFileSync(path, 'utf8')).map((q) => [q.name, q]));
  return cached;
}

export function monitoringQuery(name: string): string {
  const q = monitoringQueries().get(name);
  if (!q) throw new Error(`no query named '${name}' in ${DB_MONITOR_SQL}`);
  return q.sql;
}
