// Wallet rows straight to bytes: a chunk of rows as COPY text (exactly the generator's
// copyLine() bytes) and as wallets.json array elements, written into Buffers from names encoded
// once. Building the same text as JS strings and letting the socket encode it cost most of the
// seed's client CPU at 1M wallets (rope flattening, UTF-8 encoding, garbage), on the cores the
// server needs for the COPY.
import { EMAIL_DOMAINS, type WalletRowGenerator } from './wallet-rows.js';
import { seededWalletIdPrefix } from './test-prefix.js';

const TAB = 0x09;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const DOT = 0x2e;
const AT = 0x40;
const ZERO = 0x30;
const ID_DIGITS = 6; // walletId(): at least six digits, zero-padded
const MAX_DIGITS = 16; // any safe integer

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function copyBytes(out: Buffer, at: number, src: Uint8Array): number {
  const length = src.length;
  // Most names and slugs are a few bytes: below ~12 a loop beats set()'s call overhead.
  if (length > 12) out.set(src, at);
  else for (let k = 0; k < length; k++) out[at + k] = src[k]!;
  return at + length;
}

function digitCount(value: number): number {
  let width = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) width++;
  return width;
}

function writeDigits(out: Buffer, at: number, value: number, minWidth: number): number {
  const width = Math.max(digitCount(value), minWidth);
  let v = value;
  for (let k = width - 1; k >= 0; k--) {
    out[at + k] = ZERO + (v % 10);
    v = Math.floor(v / 10);
  }
  return at + width;
}

interface LocaleBytes {
  first: Uint8Array[];
  last: Uint8Array[];
  firstSlug: Uint8Array[];
  lastSlug: Uint8Array[];
}

export interface EncodedChunk {
  /** COPY text lines for `wallets (id, holder_name, email, balance_cents, opening_balance_cents)`. */
  copy: Buffer;
  /** wallets.json array elements (`\n  {...}` for row 1, `,\n  {...}` after), or null when not asked. */
  fixtures: Buffer | null;
}

export class WalletChunkEncoder {
  private readonly locales: LocaleBytes[];
  private readonly idPrefix: Uint8Array;
  private readonly domains: Uint8Array[];
  private readonly guest = utf8('guest');
  private readonly jsonHead = utf8(',\n  {"id":"');
  private readonly jsonMid = utf8('","opening_balance_cents":');
  private readonly maxCopyRow: number;
  private readonly maxJsonRow: number;

  constructor(private readonly generator: WalletRowGenerator) {
    this.locales = generator.copyNames.map((names, i) => ({
      first: names.first.map(utf8),
      last: names.last.map(utf8),
      firstSlug: generator.pool[i]!.firstSlug.map(utf8),
      lastSlug: generator.pool[i]!.lastSlug.map(utf8),
    }));
    this.idPrefix = utf8(seededWalletIdPrefix(generator.prefix));
    this.domains = EMAIL_DOMAINS.map(utf8);
    const longest = (arrays: Uint8Array[][]) => Math.max(0, ...arrays.flat().map((a) => a.length));
    const first = longest(this.locales.map((l) => l.first));
    const last = longest(this.locales.map((l) => l.last));
    const slugs = longest(this.locales.map((l) => l.firstSlug)) + 1 + longest(this.locales.map((l) => l.lastSlug));
    const id = this.idPrefix.length + MAX_DIGITS;
    const domain = longest([this.domains]);
    // id TAB first SPACE last TAB local . n @ domain TAB balance TAB balance NEWLINE
    this.maxCopyRow = id + 1 + first + 1 + last + 1 + Math.max(slugs, this.guest.length) + 1 + MAX_DIGITS + 1 + domain + 2 * (1 + MAX_DIGITS) + 1;
    this.maxJsonRow = this.jsonHead.length + id + this.jsonMid.length + MAX_DIGITS + 1;
    // One row each way first, so the code after encode()'s loop has type feedback when V8
    // compiles the loop on the stack: without it that code deoptimised at the end of every
    // chunk and the loop ran unoptimised half the time.
    this.encode(1, 1, true);
    this.encode(1, 1, false);
  }

  /** Rows start..end (inclusive; row numbers start at 1). */
  encode(start: number, end: number, withFixtures: boolean): EncodedChunk {
    const rows = Math.max(0, end - start + 1);
    const copy = Buffer.allocUnsafe(rows * this.maxCopyRow);
    const json = withFixtures ? Buffer.allocUnsafe(rows * this.maxJsonRow) : null;
    // Locals, not `this.` lookups, inside the loop: a named access first reached in a rare
    // branch (an empty slug) made V8 deoptimise encode() hundreds of times per million rows.
    const { generator, locales, idPrefix, domains, guest, jsonHead, jsonMid } = this;
    let c = 0;
    let j = 0;
    for (let n = start; n <= end; n++) {
      const d = generator.draws(n);
      const names = locales[d.locale]!;
      const idStart = c;
      c = copyBytes(copy, c, idPrefix);
      c = writeDigits(copy, c, n, ID_DIGITS);
      const idEnd = c;
      const nDigits = digitCount(n);
      copy[c++] = TAB;
      c = copyBytes(copy, c, names.first[d.first]!);
      copy[c++] = SPACE;
      c = copyBytes(copy, c, names.last[d.last]!);
      copy[c++] = TAB;
      const fs = names.firstSlug[d.first]!;
      const ls = names.lastSlug[d.last]!;
      if (fs.length > 0 && ls.length > 0) {
        c = copyBytes(copy, c, fs);
        copy[c++] = DOT;
        c = copyBytes(copy, c, ls);
      } else {
        c = copyBytes(copy, c, fs.length > 0 ? fs : ls.length > 0 ? ls : guest);
      }
      copy[c++] = DOT;
      // The e-mail's row number: the id's digits without the zero padding.
      for (let k = idEnd - nDigits; k < idEnd; k++) copy[c++] = copy[k]!;
      copy[c++] = AT;
      c = copyBytes(copy, c, domains[d.domain]!);
      copy[c++] = TAB;
      const balanceStart = c;
      c = writeDigits(copy, c, d.balanceCents, 1);
      const balanceEnd = c;
      copy[c++] = TAB;
      for (let k = balanceStart; k < balanceEnd; k++) copy[c++] = copy[k]!;
      copy[c++] = NEWLINE;
      if (json) {
        // Ids are [A-Za-z0-9_-] and digits: JSON needs no escaping. jsonHead is ',\n  {"id":"'.
        j = n > 1 ? copyBytes(json, j, jsonHead) : copyBytes(json, j, jsonHead.subarray(1));
        for (let k = idStart; k < idEnd; k++) json[j++] = copy[k]!;
        j = copyBytes(json, j, jsonMid);
        for (let k = balanceStart; k < balanceEnd; k++) json[j++] = copy[k]!;
        json[j++] = 0x7d; // '}'
      }
    }
    return { copy: copy.subarray(0, c), fixtures: json ? json.subarray(0, j) : null };
  }
}
