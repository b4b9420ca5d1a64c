// The byte encoder seed() streams with must send exactly the generator's copyLine() text and
// write exactly the wallets.json elements the string path wrote, whatever the chunking.
import { describe, expect, it } from 'vitest';
import { WalletChunkEncoder } from '../../seed/wallet-chunk-encoder.js';
import { copyText, WalletRowGenerator } from '../../seed/wallet-rows.js';

/** The reference: the string path (copyLine per row, the JSON element per row). */
function expected(g: WalletRowGenerator, start: number, end: number): { copy: string; fixtures: string } {
  let copy = '';
  let fixtures = '';
  for (let n = start; n <= end; n++) {
    const w = g.copyLine(n);
    copy += w.line;
    fixtures += `${n === 1 ? '\n' : ',\n'}  {"id":"${w.id}","opening_balance_cents":${w.balanceCents}}`;
  }
  return { copy, fixtures };
}

function encodeInChunks(e: WalletChunkEncoder, start: number, end: number, size: number, withFixtures: boolean) {
  const copy: Buffer[] = [];
  const fixtures: Buffer[] = [];
  for (let s = start; s <= end; s += size) {
    const chunk = e.encode(s, Math.min(end, s + size - 1), withFixtures);
    copy.push(chunk.copy);
    if (withFixtures) fixtures.push(chunk.fixtures!);
    else expect(chunk.fixtures).toBeNull();
  }
  return { copy: Buffer.concat(copy).toString('utf8'), fixtures: Buffer.concat(fixtures).toString('utf8') };
}

describe('wallet chunk encoder', () => {
  it('writes copyLine() bytes and the wallets.json elements, for any chunking, prefix and seed', () => {
    for (const [prefix, seed] of [['k6-test-', undefined], ['k6_test_', 7], ['Festival-2026-rehearsal_', 123]] as const) {
      const g = new WalletRowGenerator(prefix, seed);
      const e = new WalletChunkEncoder(g);
      const want = expected(g, 1, 3000);
      for (const size of [1, 7, 1000, 4096]) expect(encodeInChunks(e, 1, 3000, size, true)).toEqual(want);
      expect(encodeInChunks(e, 1, 3000, 500, false).copy).toBe(want.copy);
    }
  });

  it('pads ids to six digits and no further, around 999,999 -> 1,000,000 and beyond', () => {
    const g = new WalletRowGenerator('k6-test-');
    const e = new WalletChunkEncoder(g);
    for (const [start, end] of [[99_990, 100_010], [999_990, 1_000_010], [9_999_990, 10_000_000]] as const) {
      expect(encodeInChunks(e, start, end, 6, true)).toEqual(expected(g, start, end));
    }
    expect(e.encode(1_000_000, 1_000_000, false).copy.toString()).toMatch(/^k6-test-w-1000000\t/);
  });

  it('falls back like the e-mail rule when a name has no ASCII slug (first or last alone, else guest)', () => {
    const g = new WalletRowGenerator('k6-test-');
    // Empty every slug of one locale on one side, and both sides of another.
    const [a, b] = [g.pool[0]!, g.pool[1]!];
    a.firstSlug.fill('');
    b.firstSlug.fill('');
    b.lastSlug.fill('');
    const e = new WalletChunkEncoder(g);
    const want = expected(g, 1, 2000);
    expect(want.copy).toContain('\tguest.');
    expect(encodeInChunks(e, 1, 2000, 333, true)).toEqual(want);
  });

  it('encodes names that need COPY escaping and multi-byte UTF-8 as copyLine() does', () => {
    const g = new WalletRowGenerator('k6-test-');
    g.pool[2]!.first[0] = 'Ann\\a\tMarie';
    g.copyNames[2]!.first[0] = copyText(g.pool[2]!.first[0]);
    g.pool[3]!.last.fill('Łódź-Øre');
    g.copyNames[3]!.last.fill(copyText('Łódź-Øre'));
    expect(g.copyNames[2]!.first[0]).toBe('Ann\\\\a\\tMarie');
    const e = new WalletChunkEncoder(g);
    const want = expected(g, 1, 5000);
    expect(want.copy).toContain('Łódź-Øre');
    expect(encodeInChunks(e, 1, 5000, 1024, true)).toEqual(want);
  });

  it('gives an empty chunk for an empty range', () => {
    const e = new WalletChunkEncoder(new WalletRowGenerator('k6-test-'));
    const chunk = e.encode(5, 4, true);
    expect(chunk.copy.length).toBe(0);
    expect(chunk.fixtures!.length).toBe(0);
  });
});
