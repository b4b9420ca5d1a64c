// Numbers for people, by Grafana unit id, so the report labels axes and cells the way the
// dashboards do. Money is in currency units (cents / 100) and never gets a symbol.

export function formatValue(v: number | null | undefined, unit: string, decimals?: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 'ms':
      return Math.abs(v) >= 1000 ? `${trim(v / 1000, 2)} s` : `${trim(v, Math.abs(v) < 10 ? 2 : 1)} ms`;
    case 's':
      return Math.abs(v) >= 60 ? `${trim(v / 60, 1)} min` : `${trim(v, 2)} s`;
    case 'percentunit':
      return `${trim(v * 100, Math.abs(v) < 0.01 ? 3 : 2)} %`;
    case 'reqps':
      return `${compact(v)} req/s`;
    case 'ops':
      return `${compact(v)}/s`;
    case 'bytes':
      return bytes(v);
    case 'Bps':
      return `${bytes(v)}/s`;
    default:
      return decimals !== undefined ? money(v, decimals) : compact(v);
  }
}

function trim(v: number, digits: number): string {
  return v.toFixed(digits).replace(/\.?0+$/, '') || '0';
}

function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9, 2)}G`;
  if (a >= 1e6) return `${trim(v / 1e6, 2)}M`;
  if (a >= 1e4) return `${trim(v / 1e3, 1)}k`;
  return trim(v, a < 10 ? 2 : 1);
}

function bytes(v: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${trim(x, 1)} ${units[i]}`;
}

function money(v: number, decimals: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** 12345 cents → "123.45" */
export function cents(c: number | null | undefined): string {
  if (c === null || c === undefined || !Number.isFinite(c)) return '–';
  return money(c / 100, 2);
}

/** Milliseconds since the start as m:ss (or h:mm:ss). */
export function clock(msSinceStart: number): string {
  const s = Math.max(0, Math.round(msSinceStart / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The unit of the value a k6 threshold tested: rates as %, time trends in ms, else plain. */
export function thresholdUnit(metric: string, aggregate: string | null): string {
  if (aggregate === 'rate') return 'percentunit';
  if (aggregate !== 'count' && /duration|_ms$/.test(metric)) return 'ms';
  return 'short';
}
