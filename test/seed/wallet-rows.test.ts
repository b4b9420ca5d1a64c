// Wallet row generation without a database: reproducible, realistic, integer cents.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BALANCE_BANDS, openingBalanceCents } from '../../seed/balance-distribution.js';
import { asciiSlug } from '../../seed/name-pool.js';
import { copyText, WalletRowGenerator } from '../../seed/wallet-rows.js';

describe('wallet rows', () => {
  it('are a pure function of (prefix, faker seed, row number)', () => {
    const a = new WalletRowGenerator('k6-test-', 7);
    const b = new WalletRowGenerator('k6-test-', 7);
    for (const n of [1, 2, 999, 123_456, 1_000_000]) expect(a.row(n)).toEqual(b.row(n));
    expect(a.row(1).id).toBe('k6-test-w-000001');
    expect(a.row(1_000_000).id).toBe('k6-test-w-1000000');
    const other = new WalletRowGenerator('k6-test-', 8);
    const differing = [1, 2, 3, 4, 5, 6, 7, 8].filter((n) => other.row(n).holderName !== a.row(n).holderName);
    expect(differing.length).toBeGreaterThan(4);
  });

  it('are the same rows from one version to the next (wallet N for seed S never changes)', () => {
    // Golden digests of rows 1-20,000 and 1,000,000; a faker upgrade that changes its name
    // lists would change them too, and should be noticed.
    const digest = (prefix: string, seed?: number) => {
      const g = new WalletRowGenerator(prefix, seed);
      const h = createHash('sha256');
      for (let n = 1; n <= 20_000; n++) h.update(g.copyLine(n).line);
      return h.update(g.copyLine(1_000_000).line).digest('hex');
    };
    expect(digest('k6-test-')).toBe('b169449c7e726459030ca520cf88d52c35176e0f11dc15eaadee676485dfacaf');
    expect(digest('k6_test_', 7)).toBe('3f80a3cf555be5a8cd84576967eb0b807cf0576d7dce844be1619f56b1b00405');
  });

  it('copy lines carry exactly row()\'s values, escaped for COPY once per name', () => {
    const g = new WalletRowGenerator('k6-test-');
    for (const n of [1, 2, 77, 5000, 123_456, 1_000_000]) {
      const r = g.row(n);
      const c = g.copyLine(n);
      expect(c.line).toBe(`${r.id}\t${copyText(r.holderName)}\t${r.email}\t${r.balanceCents}\t${r.balanceCents}\n`);
      expect(c).toMatchObject({ id: r.id, balanceCents: r.balanceCents });
    }
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });

  it('have realistic, varied names and ASCII e-mails on reserved example domains', () => {
    const g = new WalletRowGenerator('k6-test-');
    const rows = Array.from({ length: 20_000 }, (_, i) => g.row(i + 1));
    expect(new Set(rows.map((r) => r.holderName)).size).toBeGreaterThan(15_000);
    expect(new Set(rows.map((r) => r.email)).size).toBe(rows.length);
    for (const r of rows) {
      expect(r.holderName).toMatch(/^\S.*\s.*\S$/);
      expect(r.email).toMatch(/^[a-z0-9.]+@example\.(com|net|org)$/);
    }
    expect(asciiSlug("Jürgen O'Brien-Straße")).toBe('jurgenobrienstrasse');
  });

  it('draw integer-cent opening balances with a nearly-empty tail', () => {
    const n = 100_000;
    const balances = Array.from({ length: n }, (_, i) => openingBalanceCents(20250614, i + 1));
    expect(balances.every((b) => Number.isSafeInteger(b) && b >= 0 && b <= 30_000)).toBe(true);
    const share = (f: (b: number) => boolean) => balances.filter(f).length / n;
    expect(share((b) => b <= 500)).toBeCloseTo(0.10, 1);
    expect(share((b) => b >= 2000 && b <= 10_000)).toBeCloseTo(0.70, 1);
    expect(share((b) => b > 10_000)).toBeCloseTo(0.15, 1);
    expect(share((b) => b === 0)).toBeGreaterThan(0);
    expect(BALANCE_BANDS.reduce((s, b) => s + b.share, 0)).toBeCloseTo(1, 10);
  });
});
