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

/**
 * Every name, slug and constant as UTF-8, one after another in one array; piece i is
 * bytes[start[i]..end[i]). One flat table keeps the copy loops on a single backing store.
 */
class PieceTable {
  private readonly chunks: Buffer[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private length = 0;
  bytes = new Uint8Array(0);
  start = new Int32Array(0);
  end = new Int32Array(0);

  add(text: string): number {
    const b = Buffer.from(text, 'utf8');
    this.chunks.push(b);
    this.starts.push(this.length);
    this.length += b.length;
    this.ends.push(this.length);
    return this.starts.length - 1;
  }

  longest(from: number, to: number): number {
    let max = 0;
    for (let i = from; i < to; i++) max = Math.max(max, this.ends[i]! - this.starts[i]!);
    return max;
  }

  seal(): void {
    this.bytes = new Uint8Array(Buffer.concat(this.chunks));
    this.start = Int32Array.from(this.starts);
    this.end = Int32Array.from(this.ends);
  }
}

function copyPiece(out: Buffer, at: number, bytes: Uint8Array, from: number, to: number): number {
  for (let k = from; k < to; k++) out[at++] = bytes[k]!;
  return at;
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

export interface EncodedChunk {
  /** COPY text lines for `wallets (id, holder_name, email, balance_cents, opening_balance_cents)`. */
  copy: Buffer;
  /** wallets.json array elements (`\n  {...}` for row 1, `,\n  {...}` after), or null when not asked. */
  fixtures: Buffer | null;
}

export class WalletChunkEncoder {
  private readonly pieces = new PieceTable();
  /** Per locale, the piece id of its first first-name, last name, first slug and last slug. */
  private readonly firstBase: Int32Array;
  private readonly lastBase: Int32Array;
  private readonly firstSlugBase: Int32Array;
  private readonly lastSlugBase: Int32Array;
  private readonly idPrefix: number;
  private readonly guest: number;
  private readonly domainBase: number;
  private readonly jsonHead: number; // ',\n  {"id":"'
  private readonly jsonMid: number; // '","opening_balance_cents":'
  private readonly maxCopyRow: number;
  private readonly maxJsonRow: number;

  constructor(private readonly generator: WalletRowGenerator) {
    const p = this.pieces;
    const locales = generator.copyNames.length;
    const bases = () => new Int32Array(locales);
    [this.firstBase, this.lastBase, this.firstSlugBase, this.lastSlugBase] = [bases(), bases(), bases(), bases()];
    const add = (texts: readonly string[]) => texts.map((t) => p.add(t))[0] ?? p.add('');
    const ranges: Record<'first' | 'last' | 'slugs', number> = { first: 0, last: 0, slugs: 0 };
    for (let i = 0; i < locales; i++) {
      const names = generator.copyNames[i]!;
      const pool = generator.pool[i]!;
      this.firstBase[i] = add(names.first);
      ranges.first = Math.max(ranges.first, p.longest(this.firstBase[i]!, this.firstBase[i]! + names.first.length));
      this.lastBase[i] = add(names.last);
      ranges.last = Math.max(ranges.last, p.longest(this.lastBase[i]!, this.lastBase[i]! + names.last.length));
      this.firstSlugBase[i] = add(pool.firstSlug);
      this.lastSlugBase[i] = add(pool.lastSlug);
      ranges.slugs = Math.max(ranges.slugs,
        p.longest(this.firstSlugBase[i]!, this.firstSlugBase[i]! + pool.firstSlug.length) + 1 +
        p.longest(this.lastSlugBase[i]!, this.lastSlugBase[i]! + pool.lastSlug.length));
    }
    this.idPrefix = p.add(seededWalletIdPrefix(generator.prefix));
    this.guest = p.add('guest');
    this.domainBase = add(EMAIL_DOMAINS);
    this.jsonHead = p.add(',\n  {"id":"');
    this.jsonMid = p.add('","opening_balance_cents":');
    p.seal();
    const len = (piece: number) => p.end[piece]! - p.start[piece]!;
    const id = len(this.idPrefix) + MAX_DIGITS;
    const domain = p.longest(this.domainBase, this.domainBase + EMAIL_DOMAINS.length);
    // id TAB first SPACE last TAB local . n @ domain TAB balance TAB balance NEWLINE
    this.maxCopyRow = id + 1 + ranges.first + 1 + ranges.last + 1 + Math.max(ranges.slugs, len(this.guest)) + 1 + MAX_DIGITS + 1 + domain + 2 * (1 + MAX_DIGITS) + 1;
    this.maxJsonRow = len(this.jsonHead) + id + len(this.jsonMid) + MAX_DIGITS + 1;
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
    const { generator, firstBase, lastBase, firstSlugBase, lastSlugBase, idPrefix, guest, domainBase, jsonHead, jsonMid } = this;
    const { bytes, start: from, end: to } = this.pieces;
    let c = 0;
    let j = 0;
    for (let n = start; n <= end; n++) {
      const d = generator.draws(n);
      const idStart = c;
      c = copyPiece(copy, c, bytes, from[idPrefix]!, to[idPrefix]!);
      c = writeDigits(copy, c, n, ID_DIGITS);
      const idEnd = c;
      const nDigits = digitCount(n);
      copy[c++] = TAB;
      const first = firstBase[d.locale]! + d.first;
      c = copyPiece(copy, c, bytes, from[first]!, to[first]!);
      copy[c++] = SPACE;
      const last = lastBase[d.locale]! + d.last;
      c = copyPiece(copy, c, bytes, from[last]!, to[last]!);
      copy[c++] = TAB;
      const fs = firstSlugBase[d.locale]! + d.first;
      const ls = lastSlugBase[d.locale]! + d.last;
      const hasFirst = to[fs]! > from[fs]!;
      const hasLast = to[ls]! > from[ls]!;
      if (hasFirst && hasLast) {
        c = copyPiece(copy, c, bytes, from[fs]!, to[fs]!);
        copy[c++] = DOT;
        c = copyPiece(copy, c, bytes, from[ls]!, to[ls]!);
      } else {
        const alone = hasFirst ? fs : hasLast ? ls : guest;
        c = copyPiece(copy, c, bytes, from[alone]!, to[alone]!);
      }
      copy[c++] = DOT;
      // The e-mail's row number: the id's digits without the zero padding.
      for (let k = idEnd - nDigits; k < idEnd; k++) copy[c++] = copy[k]!;
      copy[c++] = AT;
      const domain = domainBase + d.domain;
      c = copyPiece(copy, c, bytes, from[domain]!, to[domain]!);
      copy[c++] = TAB;
      const balanceStart = c;
      c = writeDigits(copy, c, d.balanceCents, 1);
      const balanceEnd = c;
      copy[c++] = TAB;
      for (let k = balanceStart; k < balanceEnd; k++) copy[c++] = copy[k]!;
      copy[c++] = NEWLINE;
      if (json) {
        // Ids are [A-Za-z0-9_-] and digits: JSON needs no escaping. Row 1 has no leading comma.
        j = copyPiece(json, j, bytes, n > 1 ? from[jsonHead]! : from[jsonHead]! + 1, to[jsonHead]!);
        for (let k = idStart; k < idEnd; k++) json[j++] = copy[k]!;
        j = copyPiece(json, j, bytes, from[jsonMid]!, to[jsonMid]!);
        for (let k = balanceStart; k < balanceEnd; k++) json[j++] = copy[k]!;
        json[j++] = 0x7d; // '}'
      }
    }
    return { copy: copy.subarray(0, c), fixtures: json ? json.subarray(0, j) : null };
  }
}
