// Bulk wallet insert. Rows are generated lazily and streamed with COPY, so a million rows never
// sit in memory. A prefix with no seeded wallets yet (the usual case) is copied straight into
// `wallets`, once; a re-seed goes through a staging table and INSERT ... ON CONFLICT DO
// NOTHING, so existing wallets stay untouched. On the straight path the fixture list of
// wallets is written from the same stream (walletsFile), not read back from the database.
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { WalletChunkEncoder } from './wallet-chunk-encoder.js';
import type { WalletRowGenerator } from './wallet-rows.js';

// Rows per COPY chunk: ~600 KB of COPY text. Readable.from() reads up to 16 chunks ahead, so
// rows are generated while the server is still parsing the previous ones.
const ROWS_PER_CHUNK = 8192;
const WALLET_COLUMNS = 'id, holder_name, email, balance_cents, opening_balance_cents';

/** Receives each chunk's fixture entries (JSON array elements) as they are generated. */
type FixtureSink = (entries: Buffer) => Promise<void> | void;

async function* copyChunks(encoder: WalletChunkEncoder, count: number, onRows: (done: number) => void, sink: FixtureSink | null): AsyncGenerator<Buffer> {
  for (let start = 1; start <= count; start += ROWS_PER_CHUNK) {
    const end = Math.min(count, start + ROWS_PER_CHUNK - 1);
    const chunk = encoder.encode(start, end, sink !== null);
    if (sink) await sink(chunk.fixtures!);
    onRows(end);
    yield chunk.copy;
  }
}

export interface CopyWalletsResult {
  generated: number;
  inserted: number;
  /** 'direct': copied straight into wallets (new prefix); 'staged': re-seed through ON CONFLICT. */
  path: 'direct' | 'staged';
  /** Set on the direct path: the fixture file written from the stream (a temporary name; the caller renames it). */
  walletsFile: string | null;
}

/** Does the prefix have any seeded wallet yet? */
async function prefixHasWallets(client: pg.ClientBase, walletIdPrefix: string): Promise<boolean> {
  const { rows } = await client.query('SELECT EXISTS (SELECT 1 FROM wallets WHERE starts_with(id, $1)) AS any', [walletIdPrefix]);
  return rows[0]!.any === true;
}

/**
 * Runs inside the caller's transaction, which holds the prefix's advisory lock (so "new prefix"
 * stays true until commit). `walletsFileTmp`: where to write the wallets fixture on the direct path.
 */
export async function copyWallets(
  client: pg.ClientBase,
  generator: WalletRowGenerator,
  count: number,
  opts: { walletIdPrefix: string; walletsFileTmp: string; onProgress?: (phase: 'streaming' | 'inserting' | 'copied', done: number) => void },
): Promise<CopyWalletsResult> {
  const onProgress = opts.onProgress ?? (() => {});
  const encoder = new WalletChunkEncoder(generator);
  if (!(await prefixHasWallets(client, opts.walletIdPrefix))) {
    const out = createWriteStream(opts.walletsFileTmp);
    const sink: FixtureSink = async (entries) => {
      if (!out.write(entries)) await once(out, 'drain');
    };
    try {
      out.write('[');
      let inserted = 0;
      if (count > 0) {
        const copy = client.query(copyFrom(`COPY wallets (${WALLET_COLUMNS}) FROM STDIN`));
        await pipeline(Readable.from(copyChunks(encoder, count, (done) => onProgress('streaming', done), sink)), copy);
        inserted = copy.rowCount ?? 0;
      }
      onProgress('copied', inserted);
      out.end(count > 0 ? '\n]\n' : ']\n');
      await once(out, 'finish');
      return { generated: count, inserted, path: 'direct', walletsFile: opts.walletsFileTmp };
    } catch (err) {
      out.destroy();
      rmSync(opts.walletsFileTmp, { force: true });
      throw err;
    }
  }

  await client.query(`CREATE TEMP TABLE moshpit_seed_wallets (
    id text NOT NULL, holder_name text NOT NULL, email text NOT NULL, balance_cents bigint NOT NULL, opening_balance_cents bigint NOT NULL
  ) ON COMMIT DROP`);
  if (count > 0) {
    const copy = client.query(copyFrom(`COPY moshpit_seed_wallets (${WALLET_COLUMNS}) FROM STDIN`));
    await pipeline(Readable.from(copyChunks(encoder, count, (done) => onProgress('streaming', done), null)), copy);
  }
  onProgress('inserting', count);
  // opening_balance_cents = balance: validators sum the ledger from the opening balance.
  const result = await client.query(`
    INSERT INTO wallets (${WALLET_COLUMNS})
    SELECT ${WALLET_COLUMNS} FROM moshpit_seed_wallets
    ON CONFLICT (id) DO NOTHING`);
  return { generated: count, inserted: result.rowCount ?? 0, path: 'staged', walletsFile: null };
}
