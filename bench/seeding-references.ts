// Seeding references, each into a fresh migrated database, the same N wallet rows:
// - server-side `INSERT INTO wallets ... SELECT ... FROM generate_series(1, N)`: no client, no
//   network, no COPY parsing; names and e-mails are built by the server from the row number
//   (same shape and widths, not the seed's faker names), opening = balance.
// - COPY of the seed's own rows (WalletRowGenerator, byte-identical to what seed() sends)
//   from a prepared file: the file is written before the clock starts; only the COPY (file
//   read, wire, parse, insert, index) is timed. Neither writes fixtures nor checks conflicts.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { WalletRowGenerator } from '../seed/wallet-rows.js';
import type { BenchServer } from './harness/postgres.js';

/** Writes the N wallets seed() would generate, in COPY text format, to `file`. */
export async function prepareWalletFile(file: string, wallets: number, prefix: string): Promise<number> {
  const generator = new WalletRowGenerator(prefix);
  const out = createWriteStream(file);
  let bytes = 0;
  let chunk = '';
  for (let n = 1; n <= wallets; n++) {
    chunk += generator.copyLine(n).line;
    if (chunk.length > 1 << 16 || n === wallets) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, application_name: 'moshpit-bench-seed-reference' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Seconds to COPY the prepared file into `wallets` of a fresh database. */
export async function copyFromFile(server: BenchServer, file: string, expected: number): Promise<number> {
  const db = await server.createDatabase('seed_ref_copy');
  try {
    return await withClient(db.url, async (c) => {
      const t = performance.now();
      const copy = c.query(copyFrom('COPY wallets (id, holder_name, email, balance_cents, opening_balance_cents) FROM STDIN'));
      await pipeline(createReadStream(file, { highWaterMark: 1 << 16 }), copy);
      const seconds = (performance.now() - t) / 1000;
      if (copy.rowCount !== expected) throw new Error(`COPY reference wrote ${copy.rowCount} of ${expected} rows`);
      return seconds;
    });
  } finally {
    await db.drop();
  }
}

/** Seconds of a server-side INSERT ... SELECT generate_series of N wallet rows into a fresh database. */
export async function insertGenerateSeries(server: BenchServer, wallets: number, prefix: string): Promise<number> {
  const db = await server.createDatabase('seed_ref_series');
  try {
    return await withClient(db.url, async (c) => {
      const t = performance.now();
      const r = await c.query(
        `INSERT INTO wallets (id, holder_name, email, balance_cents, opening_balance_cents)
         SELECT $1 || lpad(g::text, greatest(6, length(g::text)), '0'), 'Holder ' || g, 'guest.' || g || '@example.com', b, b
         FROM generate_series(1, $2::int) g, LATERAL (SELECT (g::bigint * 7919) % 30000 AS b) x`,
        [`${prefix}w-`, wallets],
      );
      const seconds = (performance.now() - t) / 1000;
      if (r.rowCount !== wallets) throw new Error(`generate_series reference wrote ${r.rowCount} of ${wallets} rows`);
      return seconds;
    });
  } finally {
    await db.drop();
  }
}
