// Writes fixtures/*.json (contract: fixtures/README.md). Each file is written to a temporary
// name and renamed, so a load run never reads half a file. wallets.json: when the seed copied
// a new prefix's wallets straight in, it was written from that stream (exactly the committed
// rows); after a re-seed it is read back from the database with COPY TO (the prefix may hold
// wallets from earlier seeds).
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { FIXTURE_FILES, type FixtureManifest } from '../core/fixture-manifest.js';
import { readSettings } from './settings.js';
import { prefixLikePattern, probeWalletId, seededWalletIdRegex } from './test-prefix.js';

export interface WrittenFixtures {
  manifest: FixtureManifest;
  products: number;
  terminals: number;
  gateways: number;
  files: string[];
}

function writeJsonAtomically(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/** `id<TAB>cents` lines from COPY -> one JSON array element per seeded wallet (w-<digits>). */
function walletLinesToJson(isSeededId: (id: string) => boolean, counter: { rows: number }): Transform {
  let rest = '';
  const toJson = (line: string) => {
    const tab = line.indexOf('\t');
    const id = line.slice(0, tab);
    if (!isSeededId(id)) return '';
    const entry = JSON.stringify({ id, opening_balance_cents: Number(line.slice(tab + 1)) });
    return `${counter.rows++ === 0 ? '\n' : ',\n'}  ${entry}`;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      done(null, lines.map(toJson).join(''));
    },
    flush(done) {
      done(null, (rest ? toJson(rest) : '') + (counter.rows > 0 ? '\n]\n' : ']\n'));
    },
  });
}

async function writeWalletsJson(client: pg.ClientBase, prefix: string, path: string): Promise<number> {
  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp);
  out.write('[');
  // COPY takes no parameters; the literal comes from a validated [A-Za-z0-9_-] prefix. The
  // digits check runs here rather than as a SQL regex, which doubled the time for 1M wallets.
  const like = client.escapeLiteral(prefixLikePattern(`${prefix}w-`));
  const seededId = new RegExp(seededWalletIdRegex(prefix));
  const counter = { rows: 0 };
  try {
    await pipeline(
      client.query(copyTo(`COPY (SELECT id, opening_balance_cents FROM wallets
        WHERE id LIKE ${like} ORDER BY id) TO STDOUT`)),
      walletLinesToJson((id) => seededId.test(id), counter),
      out,
    );
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, path);
  return counter.rows;
}

/** Temporary name of wallets.json while it is written (renamed when complete). */
export function walletsFixtureTmp(fixturesDir: string): string {
  return join(fixturesDir, `wallets.json.tmp-${process.pid}`);
}

export async function writeFixtures(
  client: pg.ClientBase,
  opts: { prefix: string; fixturesDir: string; database: string; walletsFromStream?: { tmpFile: string; count: number } },
): Promise<WrittenFixtures> {
  const { prefix, fixturesDir } = opts;
  mkdirSync(fixturesDir, { recursive: true });
  const pattern = prefixLikePattern(prefix);
  const file = (name: keyof typeof FIXTURE_FILES) => join(fixturesDir, FIXTURE_FILES[name]);
  const files = [file('wallets'), file('products'), file('terminals'), file('gateways'), file('manifest')];
  const [walletsFile, productsFile, terminalsFile, gatewaysFile, manifestFile] = files as [string, string, string, string, string];

  let walletCount: number;
  if (opts.walletsFromStream) {
    renameSync(opts.walletsFromStream.tmpFile, walletsFile);
    walletCount = opts.walletsFromStream.count;
  } else {
    walletCount = await writeWalletsJson(client, prefix, walletsFile);
  }
  const products = (await client.query(
    `SELECT id, vendor_id, name, price_cents FROM products WHERE id LIKE $1 AND active ORDER BY vendor_id, id`, [pattern],
  )).rows.map((r) => ({ id: r.id, vendor_id: r.vendor_id, name: r.name, price_cents: Number(r.price_cents) }));
  const terminals = (await client.query(`SELECT id, vendor_id, name FROM terminals WHERE id LIKE $1 ORDER BY id`, [pattern])).rows;
  const gateways = (await client.query(`SELECT id, name FROM gateways WHERE id LIKE $1 ORDER BY id`, [pattern])).rows;
  writeJsonAtomically(productsFile, products);
  writeJsonAtomically(terminalsFile, terminals);
  writeJsonAtomically(gatewaysFile, gateways);

  const probe = await client.query('SELECT 1 FROM wallets WHERE id = $1', [probeWalletId(prefix)]);
  if (probe.rowCount === 0) throw new Error(`probe wallet ${probeWalletId(prefix)} is missing after seeding`);
  const manifest: FixtureManifest = {
    prefix,
    wallets: walletCount,
    seeded_at: new Date().toISOString(),
    database: opts.database,
    settings: await readSettings(client),
    probe_wallet_id: probeWalletId(prefix),
  };
  // The manifest goes last: its presence means the other files are complete.
  writeJsonAtomically(manifestFile, manifest);
  return { manifest, products: products.length, terminals: terminals.length, gateways: gateways.length, files };
}
