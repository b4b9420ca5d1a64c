// Counter-based randomness: the value for (seed, row, stream) never depends on other rows, so
// wallet N is the same whether 5,000 or 1,000,000 wallets are seeded, and re-seeding with a
// larger count only adds rows. Hash from "lowbias32" (Chris Wellons).

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Uniform in [0, 1) for one row and one independent stream (name, balance band, ...). */
export function rowRandom(seed: number, row: number, stream: number): number {
  return mix32(mix32(mix32(seed) ^ row) ^ Math.imul(stream + 1, 0x9e3779b9)) / 4294967296;
}

/** Uniform integer in [min, max]. */
export function rowInt(seed: number, row: number, stream: number, min: number, max: number): number {
  return min + Math.floor(rowRandom(seed, row, stream) * (max - min + 1));
}
