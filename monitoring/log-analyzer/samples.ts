// The request log's latencies, kept to take percentiles the way the run's verdict takes them
// (nearest rank, core/percentile.ts), so a p95 from the log compares with the run's p95.
import { percentileOfSorted } from '../../core/percentile.js';

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
    return percentileOfSorted(this.values(), p);
  }

  max(): number | null {
    return this.size === 0 ? null : this.values()[this.size - 1]!;
  }
}
