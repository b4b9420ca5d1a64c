// Figures from repeated measurements: the median, with min/max kept so the table can show how
// noisy the machine was. Ratios are of medians.
import type { Figure, Row } from './types.js';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function figure(samples: readonly number[], unit: string): Figure {
  const value = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  const spreadPercent = samples.length > 1 && value !== 0 ? ((max - min) / Math.abs(value)) * 100 : 0;
  return { value, unit, samples: [...samples], min, max, spreadPercent };
}

/** A figure of one value (a count, a size): no spread. */
export function single(value: number, unit: string): Figure {
  return figure([value], unit);
}

export function ratio(subject: Figure, reference: Figure): number {
  return subject.value / reference.value;
}

export function row(
  measure: string,
  subject: Figure,
  reference?: { label: string; figure: Figure; ratioLabel: string; invert?: boolean },
  note?: string,
): Row {
  const out: Row = {
    measure,
    subject,
    referenceLabel: reference?.label ?? null,
    reference: reference?.figure ?? null,
    ratio: reference ? (reference.invert ? ratio(reference.figure, subject) : ratio(subject, reference.figure)) : null,
    ratioLabel: reference?.ratioLabel ?? null,
  };
  if (note) out.note = note;
  return out;
}

/** Runs fn n times, one after the other (never in parallel: they would measure each other). */
export async function repeat<T>(n: number, fn: (i: number) => Promise<T>, stop: () => boolean = () => false): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && stop()) break;
    out.push(await fn(i));
  }
  return out;
}

/** Growth of a time over a size ladder: time(next) / time(previous) per step of sizes. */
export function growthFactors(points: Array<{ size: number; seconds: number }>): Array<{ from: number; to: number; sizeFactor: number; timeFactor: number }> {
  const out = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    out.push({ from: a.size, to: b.size, sizeFactor: b.size / a.size, timeFactor: b.seconds / a.seconds });
  }
  return out;
}

export function seconds(fromMs: number): number {
  return (performance.now() - fromMs) / 1000;
}
