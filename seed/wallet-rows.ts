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
export const EMAIL_DOMAINS: readonly string[] = ['example.com', 'example.net', 'example.org'];
const LOCALE_STREAM = 1;
const FIRST_STREAM = 2;
const LAST_STREAM = 3;
const DOMAIN_STREAM = 4;

/** "first.last", either alone when the other slug is empty, "guest" when both are. */
export function emailLocalPart(firstSlug: string, lastSlug: string): string {
  return firstSlug && lastSlug ? `${firstSlug}.${lastSlug}` : firstSlug || lastSlug || 'guest';
}

/** COPY text format: backslash, tab and line breaks must be escaped inside a field. */
export function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** A row's random draws, before any text is made: indices into the name pool and the balance. */
export interface WalletDraws {
  locale: number;
  first: number;
  last: number;
  domain: number;
  balanceCents: number;
}

export class WalletRowGenerator {
  readonly pool: LocaleNames[];
  /** The pool's names escaped for COPY once, so no row pays a regex. */
  readonly copyNames: Array<{ first: string[]; last: string[] }>;

  constructor(readonly prefix: string, private readonly fakerSeed = DEFAULT_FAKER_SEED) {
    this.pool = buildNamePool(fakerSeed);
    this.copyNames = this.pool.map((p) => ({ first: p.first.map(copyText), last: p.last.map(copyText) }));
  }

  /** Row n's draws: locale, name indices, e-mail domain, balance. */
  draws(n: number): WalletDraws {
    const s = this.fakerSeed;
    const locale = rowInt(s, n, LOCALE_STREAM, 0, this.pool.length - 1);
    const names = this.pool[locale]!;
    return {
      locale,
      first: rowInt(s, n, FIRST_STREAM, 0, names.first.length - 1),
      last: rowInt(s, n, LAST_STREAM, 0, names.last.length - 1),
      domain: rowInt(s, n, DOMAIN_STREAM, 0, EMAIL_DOMAINS.length - 1),
      balanceCents: openingBalanceCents(s, n),
    };
  }

  /** The row's id, e-mail and balance as text. */
  private draw(n: number) {
    const d = this.draws(n);
    const names = this.pool[d.locale]!;
    return { ...d, id: walletId(this.prefix, n), email: `${emailLocalPart(names.firstSlug[d.first]!, names.lastSlug[d.last]!)}.${n}@${EMAIL_DOMAINS[d.domain]!}` };
  }

  /** Row numbers start at 1 (k6-test-w-000001). */
  row(n: number): WalletRow {
    const d = this.draw(n);
    const names = this.pool[d.locale]!;
    return { id: d.id, holderName: `${names.first[d.first]!} ${names.last[d.last]!}`, email: d.email, balanceCents: d.balanceCents };
  }

  /**
   * Row n as a COPY text line for wallets (id, holder_name, email, balance_cents,
   * opening_balance_cents), the same values as row(n). The id (validated prefix, digits) and
   * the e-mail (ASCII slugs, digits, RFC 2606 domain) never need escaping.
   */
  copyLine(n: number): { line: string; id: string; balanceCents: number } {
    const d = this.draw(n);
    const names = this.copyNames[d.locale]!;
    return { line: `${d.id}\t${names.first[d.first]!} ${names.last[d.last]!}\t${d.email}\t${d.balanceCents}\t${d.balanceCents}\n`, id: d.id, balanceCents: d.balanceCents };
  }
}
