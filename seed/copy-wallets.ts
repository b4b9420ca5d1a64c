// Bulk wallet insert: rows are generated lazily and streamed with COPY into a temporary
// staging table, then moved with one INSERT ... SELECT ... ON CONFLICT DO NOTHING, so
// existing wallets stay untouched and a million rows never sit in memory.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { WalletRowGenerator } from './wallet-rows.js';

const ROWS_PER_CHUNK = 2000;

/** COPY text format: backslash, tab and line breaks must be escaped inside a field. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function* copyChunks(generator: WalletRowGenerator, count: number, onRows: (done: number) => void): Generator<string> {
  for (let start = 1; start <= count; start += ROWS_PER_CHUNK) {
    const end = Math.min(count, start + ROWS_PER_CHUNK - 1);
    let chunk = '';
    for (let n = start; n <= end; n++) {
      const w = generator.row(n);
      chunk += `${copyText(w.id)}\t${copyText(w.holderName)}\t${copyText(w.email)}\t${w.balanceCents}\n`;
    }
    onRows(end);
    yield chunk;
  }
}

export interface CopyWalletsResult { generated: number; inserted: number }

/** Runs inside the caller's transaction (the staging table is dropped at commit). */
export async function copyWallets(
  client: pg.ClientBase,
  generator: WalletRowGenerator,
  count: number,
  onProgress: (phase: 'streaming' | 'inserting', done: number) => void = () => {},
): Promise<CopyWalletsResult> {
  await client.query(`CREATE TEMP TABLE moshpit_seed_wallets (
    id text NOT NULL, holder_name text NOT NULL, email text NOT NULL, balance_cents bigint NOT NULL
  ) ON COMMIT DROP`);
  if (count > 0) {
    const copy = client.query(copyFrom('COPY moshpit_seed_wallets (id, holder_name, email, balance_cents) FROM STDIN'));
    await pipeline(Readable.from(copyChunks(generator, count, (done) => onProgress('streaming', done))), copy);
  }
  onProgress('inserting', count);
  // opening_balance_cents = balance: validators sum the ledger from the opening balance.
  const result = await client.query(`
    INSERT INTO wallets (id, holder_name, email, balance_cents, opening_balance_cents)
    SELECT id, holder_name, email, balance_cents, balance_cents FROM moshpit_seed_wallets
    ON CONFLICT (id) DO NOTHING`);
  return { generated: count, inserted: result.rowCount ?? 0 };
}
