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

export class WalletRowGenerator {
  private readonly pool: LocaleNames[];

  constructor(private readonly prefix: string, private readonly fakerSeed = DEFAULT_FAKER_SEED) {
    this.pool = buildNamePool(fakerSeed);
  }

  /** Row numbers start at 1 (k6-test-w-000001). */
  row(n: number): WalletRow {
    const s = this.fakerSeed;
    const names = this.pool[rowInt(s, n, LOCALE_STREAM, 0, this.pool.length - 1)]!;
    const f = rowInt(s, n, FIRST_STREAM, 0, names.first.length - 1);
    const l = rowInt(s, n, LAST_STREAM, 0, names.last.length - 1);
    const first = names.first[f]!;
    const last = names.last[l]!;
    const domain = EMAIL_DOMAINS[rowInt(s, n, DOMAIN_STREAM, 0, EMAIL_DOMAINS.length - 1)]!;
    const local = [names.firstSlug[f]!, names.lastSlug[l]!].filter((p) => p.length > 0).join('.') || 'guest';
    return {
      id: walletId(this.prefix, n),
      holderName: `${first} ${last}`,
      email: `${local}.${n}@${domain}`,   // the row number keeps e-mails unique
      balanceCents: openingBalanceCents(s, n),
    };
  }
}
