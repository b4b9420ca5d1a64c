// Inline SVG charts for the self-contained report: a time series chart (lines, SLO lines,
// shaded chaos windows) and a grouped bar chart. No library, no script: what the file holds
// is what any browser (or a mail client) draws.
import { escapeMarkup } from '../../core/escape.js';
import { clock, formatValue } from './format-units.js';

export const PALETTE = ['#3274d9', '#e0752d', '#37872d', '#c4162a', '#8f3bb8', '#1f9fa8', '#b8860b', '#6e6e6e', '#d44a9a', '#5a6acf'];

export interface LineSeries { name: string; points: Array<[number, number | null]> }
export interface Band { label: string; startMs: number; endMs: number }
export interface HLine { value: number; label: string }

export interface LineChartSpec {
  series: LineSeries[];
  unit: string;
  decimals?: number;
  /** x axis: the run's window, labelled as time since startMs. */
  startMs: number;
  endMs: number;
  bands?: Band[];
  lines?: HLine[];
  width?: number;
  height?: number;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** Round-number ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  // From the step at or below lo to the step at or above hi: the axis always covers the data.
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step - 1e-9);
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

function timeTicks(spanMs: number): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].map((s) => s * 1000);
  const step = steps.find((s) => spanMs / s <= 8) ?? Math.ceil(spanMs / 8 / 3_600_000) * 3_600_000;
  const out: number[] = [];
  for (let t = 0; t <= spanMs; t += step) out.push(t);
  return out;
}

export function lineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 230;
  const m = { l: 64, r: 14, t: 14, b: 26 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const span = Math.max(1000, spec.endMs - spec.startMs);
  const values = spec.series.flatMap((s) => s.points.map(([, v]) => v).filter((v): v is number => v !== null && Number.isFinite(v)));
  // Keep an SLO line in view only when the data comes within reach of it; a 500 ms budget
  // would otherwise flatten 10 ms latencies into the x axis.
  const dataMax = Math.max(0, ...values);
  const visibleLines = (spec.lines ?? []).filter((l) => l.value <= dataMax * 3 || dataMax === 0);
  const yMax = Math.max(dataMax, ...visibleLines.map((l) => l.value), 0) || 1;
  const yMin = Math.min(0, ...values);
  // Headroom above the data, but a ratio that stays within 100 % keeps 100 % as its ceiling.
  const ticks = niceTicks(yMin, spec.unit === 'percentunit' && yMax <= 1 ? Math.min(yMax * 1.05, 1) : yMax * 1.05, 4);
  const top = ticks[ticks.length - 1]!;
  const bottom = ticks[0]!;
  const x = (t: number) => m.l + ((t - spec.startMs) / span) * pw;
  const y = (v: number) => m.t + ph - ((v - bottom) / (top - bottom)) * ph;
  const parts: string[] = [];
  parts.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg">`);
  for (const b of spec.bands ?? []) {
    const x0 = Math.max(m.l, x(b.startMs));
    const x1 = Math.min(m.l + pw, x(b.endMs));
    if (x1 <= x0) continue;
    parts.push(`<g class="band"><rect x="${r1(x0)}" y="${m.t}" width="${r1(Math.max(1, x1 - x0))}" height="${ph}" fill="#f2495c" fill-opacity="0.13"><title>${escapeMarkup(b.label)}</title></rect>` +
      `<text x="${r1(x0 + 3)}" y="${m.t + 10}" font-size="9" fill="#b3261e">${escapeMarkup(b.label)}</text></g>`);
  }
  for (const v of ticks) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${r1(y(v))}" y2="${r1(y(v))}" stroke="#e4e4e4"/>` +
      `<text x="${m.l - 6}" y="${r1(y(v) + 3)}" font-size="10" text-anchor="end" fill="#555">${escapeMarkup(formatValue(v, spec.unit, spec.decimals))}</text>`);
  }
  for (const t of timeTicks(span)) {
    const xt = r1(m.l + (t / span) * pw);
    parts.push(`<line x1="${xt}" x2="${xt}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#999"/><text x="${xt}" y="${H - 8}" font-size="10" text-anchor="middle" fill="#555">${clock(t)}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#999"/>`);
  for (const l of visibleLines) {
    parts.push(`<line class="slo" x1="${m.l}" x2="${m.l + pw}" y1="${r1(y(l.value))}" y2="${r1(y(l.value))}" stroke="#c4162a" stroke-dasharray="5 4"/>` +
      `<text x="${m.l + pw - 2}" y="${r1(y(l.value) - 3)}" font-size="9" text-anchor="end" fill="#c4162a">${escapeMarkup(`${l.label} ${formatValue(l.value, spec.unit, spec.decimals)}`)}</text>`);
  }
  spec.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter(([t]) => t >= spec.startMs - 1 && t <= spec.endMs + 1);
    let d = '';
    let pen = false;
    let drawn = 0;
    for (const [t, v] of pts) {
      if (v === null || !Number.isFinite(v)) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${r1(x(t))} ${r1(y(v))}`;
      pen = true;
      drawn++;
    }
    if (drawn === 0) return;
    const summary = `${s.name}: max ${formatValue(Math.max(...pts.map(([, v]) => v ?? -Infinity)), spec.unit, spec.decimals)}`;
    if (drawn === 1) {
      const [t, v] = pts.find(([, v]) => v !== null)!;
      parts.push(`<circle cx="${r1(x(t))}" cy="${r1(y(v!))}" r="3" fill="${color}"><title>${escapeMarkup(summary)}</title></circle>`);
      // A lone point still gets a path, so "did it draw" has one answer for every chart.
      parts.push(`<path d="M${r1(x(t) - 3)} ${r1(y(v!))}L${r1(x(t) + 3)} ${r1(y(v!))}" stroke="${color}" stroke-width="2" fill="none"/>`);
      return;
    }
    parts.push(`<path class="series" d="${d}" stroke="${color}" stroke-width="1.6" fill="none" stroke-linejoin="round"><title>${escapeMarkup(summary)}</title></path>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface BarGroup { label: string; values: Array<number | null>; marker?: number }

export interface BarChartSpec {
  groups: BarGroup[];
  seriesNames: string[];
  unit: string;
  decimals?: number;
  width?: number;
  height?: number;
}

/** Grouped vertical bars (one group per category), with an optional marker line per group (an SLO). */
export function barChart(spec: BarChartSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 230;
  // Room on the right for the last category's label, which is centred on its group.
  const m = { l: 64, r: 44, t: 14, b: 40 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const values = spec.groups.flatMap((g) => g.values.filter((v): v is number => v !== null));
  const dataMax = Math.max(0, ...values);
  const markers = spec.groups.map((g) => g.marker).filter((v): v is number => v !== undefined && v <= dataMax * 3);
  const ticks = niceTicks(0, Math.max(dataMax, ...markers, 0) * 1.05 || 1, 4);
  const top = ticks[ticks.length - 1]!;
  const y = (v: number) => m.t + ph - (v / top) * ph;
  const gw = pw / Math.max(1, spec.groups.length);
  const bw = Math.max(2, (gw * 0.8) / Math.max(1, spec.seriesNames.length));
  const parts: string[] = [`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg">`];
  for (const v of ticks) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${r1(y(v))}" y2="${r1(y(v))}" stroke="#e4e4e4"/>` +
      `<text x="${m.l - 6}" y="${r1(y(v) + 3)}" font-size="10" text-anchor="end" fill="#555">${escapeMarkup(formatValue(v, spec.unit, spec.decimals))}</text>`);
  }
  spec.groups.forEach((g, gi) => {
    const gx = m.l + gi * gw + gw * 0.1;
    g.values.forEach((v, si) => {
      if (v === null) return;
      const h = Math.max(0.5, ph - (y(v) - m.t));
      const bx = gx + si * bw;
      // Bars are paths too: one shape kind for every chart the report draws.
      parts.push(`<path d="M${r1(bx)} ${r1(m.t + ph)}V${r1(m.t + ph - h)}H${r1(bx + bw - 1)}V${r1(m.t + ph)}Z" fill="${PALETTE[si % PALETTE.length]}">` +
        `<title>${escapeMarkup(`${g.label} ${spec.seriesNames[si]}: ${formatValue(v, spec.unit, spec.decimals)}`)}</title></path>`);
    });
    if (g.marker !== undefined && g.marker <= top) {
      parts.push(`<line class="slo" x1="${r1(gx - 2)}" x2="${r1(gx + gw * 0.8 + 2)}" y1="${r1(y(g.marker))}" y2="${r1(y(g.marker))}" stroke="#c4162a" stroke-dasharray="4 3"/>`);
    }
    // Every other label one line lower, so long operation names never run into each other.
    parts.push(`<text x="${r1(gx + gw * 0.4)}" y="${H - 24 + (gi % 2) * 13}" font-size="10" text-anchor="middle" fill="#333">${escapeMarkup(g.label)}</text>`);
  });
  parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#999"/>`, '</svg>');
  return parts.join('');
}
