// Seeding: wallets/s of seed() (one COPY into wallets for a new prefix, the fixture files from
// the same stream) for the headline size, each sample into a fresh migrated database;
// references, same PostgreSQL, same run: `pgbench -i -s S` (S x 100,000 pgbench_accounts rows,
// client-side COPY, vacuum, primary keys) rows/s; and the same N wallet rows by a server-side
// INSERT ... SELECT generate_series and by COPY from a prepared file (seeding-references.ts). Also the time over the size ladder
// (10k -> 100k -> 1M): the growth factor per 10x should be 10 (linear) or less.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { seed } from '../seed/seed.js';
import { copyFromFile, insertGenerateSeries, prepareWalletFile } from './seeding-references.js';
import { figure, growthFactors, row } from './harness/stats.js';
import type { Benchmark, BenchContext, Row } from './harness/types.js';

const fmt = (n: number) => n.toLocaleString('en');

/** One seed into a fresh database; seconds of wall time around seed() (fixtures included). */
async function seedOnce(ctx: BenchContext, wallets: number, i: number): Promise<{ seconds: number; walletsInserted: number }> {
  const db = await ctx.server.createDatabase(`seed_${wallets}`);
  const fixturesDir = join(ctx.workDir, `seed-${wallets}-${i}`);
  try {
    const t = performance.now();
    const s = await seed({ databaseUrl: db.url, wallets, prefix: 'k6-test-', fixturesDir });
    const seconds = (performance.now() - t) / 1000;
    if (s.walletsInserted !== wallets) throw new Error(`seed inserted ${s.walletsInserted} of ${wallets} wallets`);
    return { seconds, walletsInserted: s.walletsInserted };
  } finally {
    rmSync(fixturesDir, { recursive: true, force: true });
    await db.drop();
  }
}

const benchmark: Benchmark = {
  name: 'seeding',
  title: 'Seeding: seed() wallets/s vs pgbench -i, COPY from a file and INSERT ... SELECT generate_series rows/s',
  async run(ctx) {
    const { seedWallets, seedLadder, pgbenchScale } = ctx.sizes;
    const sizes = [...new Set([...seedLadder, seedWallets])].sort((a, b) => a - b);
    const times: Record<number, number[]> = {};
    // Interleave subject and reference so a burst of noise hits both, not one of them.
    const pgbench: Array<{ seconds: number; rows: number; steps: Record<string, number> }> = [];
    const copyFile = join(ctx.workDir, `wallets-${seedWallets}.copy`);
    ctx.log(`seeding: preparing the COPY reference file (${fmt(seedWallets)} rows, untimed)`);
    const copyFileBytes = await prepareWalletFile(copyFile, seedWallets, 'k6-test-');
    const copySeconds: number[] = [];
    const seriesSeconds: number[] = [];
    for (let i = 0; i < ctx.repeat; i++) {
      if (i > 0 && ctx.interrupted()) break;
      for (const size of sizes) {
        ctx.log(`seeding: ${fmt(size)} wallets (${i + 1}/${ctx.repeat})`);
        (times[size] ??= []).push((await seedOnce(ctx, size, i)).seconds);
      }
      ctx.log(`seeding: COPY of the same ${fmt(seedWallets)} rows from a file, INSERT ... SELECT generate_series (${i + 1}/${ctx.repeat})`);
      copySeconds.push(await copyFromFile(ctx.server, copyFile, seedWallets));
      seriesSeconds.push(await insertGenerateSeries(ctx.server, seedWallets, 'k6-test-'));
      ctx.log(`seeding: pgbench -i -s ${pgbenchScale} (${i + 1}/${ctx.repeat})`);
      const { db, init } = await ctx.server.pgbenchInit(pgbenchScale);
      await db.drop();
      pgbench.push(init);
    }

    const headline = figure(times[seedWallets]!.map((s) => seedWallets / s), 'wallets/s');
    const reference = figure(pgbench.map((p) => p.rows / p.seconds), 'rows/s');
    const rows: Row[] = [
      row(`wallets/s, ${fmt(seedWallets)} wallets + fixtures`, headline, {
        label: `pgbench -i -s ${pgbenchScale} rows/s (${fmt(pgbenchScale * 100_000)} accounts)`,
        figure: reference,
        ratioLabel: 'seed ÷ pgbench -i',
      }),
      row(`wallets/s, ${fmt(seedWallets)} wallets + fixtures`, headline, {
        label: `COPY of the same ${fmt(seedWallets)} wallet rows from a prepared file, rows/s`,
        figure: figure(copySeconds.map((s) => seedWallets / s), 'rows/s'),
        ratioLabel: 'seed ÷ COPY from file',
      }, 'the file is written before the clock starts; no generation, no fixtures'),
      row(`wallets/s, ${fmt(seedWallets)} wallets + fixtures`, headline, {
        label: `server-side INSERT ... SELECT generate_series of ${fmt(seedWallets)} wallet rows, rows/s`,
        figure: figure(seriesSeconds.map((s) => seedWallets / s), 'rows/s'),
        ratioLabel: 'seed ÷ INSERT ... SELECT',
      }, 'no client, no wire, no COPY parsing; server-made names'),
    ];
    const points = sizes.map((size) => ({ size, seconds: figure(times[size]!, 's').value }));
    for (const size of sizes) rows.push(row(`seed time, ${fmt(size)} wallets`, figure(times[size]!, 's')));
    for (const g of growthFactors(points)) {
      rows.push(row(`seed time growth ${fmt(g.from)} → ${fmt(g.to)} (×${g.sizeFactor} wallets)`, figure(times[g.to]!, 's'), {
        label: `seed time at ${fmt(g.from)}`,
        figure: figure(times[g.from]!, 's'),
        ratioLabel: `growth (linear = ${g.sizeFactor})`,
      }, g.timeFactor <= g.sizeFactor * 1.1 ? 'linear or better' : 'worse than linear'));
    }
    return {
      rows,
      details: {
        secondsBySize: times,
        pgbenchInit: pgbench,
        copyFromFile: { seconds: copySeconds, fileBytes: copyFileBytes },
        insertGenerateSeries: { seconds: seriesSeconds },
        growth: growthFactors(points),
      },
    };
  },
};

export default benchmark;
