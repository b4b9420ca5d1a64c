// The seeded wallets as a pure function of (prefix, fakerSeed, row number): reproducible,
// streamable, and independent of how many rows are generated.
import { openingBalanceCents } from './balance-distribution.js';
import { rowInt } from './deterministic-random.js';
import { buildNamePool, type LocaleNames } from './name-pool.js';
import { walletId } from './test-prefix.js';

export const DEFAULT_FAKER_SEED = 20250614;

export interface WalletRow {
  id: string;
  holderName: string;
  email: string;
  balanceCents: number;
}

// RFC 2606 domains: seeded e-mails can never reach a real person.
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];
const LOCALE_STREAM = 1;
const FIRST_STREAM = 2;
const LAST_STREAM = 3;
const DOMAIN_STREAM = 4;

/** COPY text format: backslash, tab and line breaks must be escaped inside a field. */
export function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export class WalletRowGenerator {
  private readonly pool: LocaleNames[];
  /** The pool's names escaped for COPY once, so no row pays a regex. */
  private readonly copyNames: Array<{ first: string[]; last: string[] }>;

  constructor(private readonly prefix: string, private readonly fakerSeed = DEFAULT_FAKER_SEED) {
    this.pool = buildNamePool(fakerSeed);
    this.copyNames = this.pool.map((p) => ({ first: p.first.map(copyText), last: p.last.map(copyText) }));
  }

  /** The row's draws: locale, name indices, e-mail, balance. */
  private draw(n: number) {
    const s = this.fakerSeed;
    const locale = rowInt(s, n, LOCALE_STREAM, 0, this.pool.length - 1);
    const names = this.pool[locale]!;
    const f = rowInt(s, n, FIRST_STREAM, 0, names.first.length - 1);
    const l = rowInt(s, n, LAST_STREAM, 0, names.last.length - 1);
    const domain = EMAIL_DOMAINS[rowInt(s, n, DOMAIN_STREAM, 0, EMAIL_DOMAINS.length - 1)]!;
    // "first.last", either alone when the other slug is empty, "guest" when both are (no arrays per row).
    const fs = names.firstSlug[f]!;
    const ls = names.lastSlug[l]!;
    const local = fs && ls ? `${fs}.${ls}` : fs || ls || 'guest';
    return {
      locale, f, l,
      id: walletId(this.prefix, n),
      email: `${local}.${n}@${domain}`,   // the row number keeps e-mails unique
      balanceCents: openingBalanceCents(s, n),
    };
  }

  /** Row numbers start at 1 (k6-test-w-000001). */
  row(n: number): WalletRow {
    const d = this.draw(n);
    const names = this.pool[d.locale]!;
    return { id: d.id, holderName: `${names.first[d.f]!} ${names.last[d.l]!}`, email: d.email, balanceCents: d.balanceCents };
  }

  /**
   * Row n as a COPY text line for wallets (id, holder_name, email, balance_cents,
   * opening_balance_cents), the same values as row(n). The id (validated prefix, digits) and
   * the e-mail (ASCII slugs, digits, RFC 2606 domain) never need escaping.
   */
  copyLine(n: number): { line: string; id: string; balanceCents: number } {
    const d = this.draw(n);
    const names = this.copyNames[d.locale]!;
    return { line: `${d.id}\t${names.first[d.f]!} ${names.last[d.l]!}\t${d.email}\t${d.balanceCents}\t${d.balanceCents}\n`, id: d.id, balanceCents: d.balanceCents };
  }
}
