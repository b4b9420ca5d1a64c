// Capacity reference: pgbench calling the target's own order procedure, sp_process_bar_order,
// directly on the capacity benchmark's festival database, with as many clients as the target
// holds connections (its pool). One custom script per concession terminal (equal weights),
// each ordering a basket of that stand's first two products for a random seeded wallet with a
// fresh idempotency key. What it leaves out: HTTP, Node, JSON over the wire, the target's pool
// queueing, and the flow's balance reads and top-ups after a decline.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_FILES } from '../core/fixture-manifest.js';

interface ProductFixture { id: string; vendor_id: string }
interface TerminalFixture { id: string; vendor_id: string }

/** SQL literal of a fixture id (ids are [A-Za-z0-9_-] with the prefix; quotes doubled anyway). */
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** One pgbench script per terminal; returns their paths. */
export function writeOrderScripts(fixturesDir: string, wallets: number, prefix: string, dir: string): string[] {
  const products = JSON.parse(readFileSync(join(fixturesDir, FIXTURE_FILES.products), 'utf8')) as ProductFixture[];
  const terminals = JSON.parse(readFileSync(join(fixturesDir, FIXTURE_FILES.terminals), 'utf8')) as TerminalFixture[];
  mkdirSync(dir, { recursive: true });
  return terminals.map((t, i) => {
    const basket = products.filter((p) => p.vendor_id === t.vendor_id).slice(0, 2).map((p) => ({ product_id: p.id, quantity: 1 }));
    if (basket.length === 0) throw new Error(`capacity reference: terminal ${t.id} sells nothing`);
    const script = [
      `\\set w random(1, ${wallets})`,
      '\\set k random(1, 999999999999)',
      `SELECT sp_process_bar_order('pgbench:' || :client_id || ':' || :k, ${lit(`${prefix}w-`)} || lpad(CAST(:w AS text), greatest(6, length(CAST(:w AS text))), '0'), ${lit(t.id)}, ${lit(JSON.stringify(basket))}::jsonb);`,
      '',
    ].join('\n');
    const file = join(dir, `order-terminal-${i + 1}.sql`);
    writeFileSync(file, script);
    return file;
  });
}

