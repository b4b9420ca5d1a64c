// Percentiles the way k6 computes them for its summary (sorted samples, linear interpolation
// between the two nearest ranks), so a p95 from the request log compares with k6's p95.

export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (n === 1) return sorted[0]!;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** A growable list of samples, sorted once when read. */
export class Samples {
  private data = new Float64Array(64);
  private size = 0;
  private sorted = true;

  add(v: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = v;
    this.sorted = false;
  }

  get count(): number {
    return this.size;
  }

  values(): Float64Array {
    const view = this.data.subarray(0, this.size);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    return view;
  }

  percentile(p: number): number | null {
    return percentile(this.values(), p);
  }

  max(): number | null {
    return this.size === 0 ? null : this.values()[this.size - 1]!;
  }
}
