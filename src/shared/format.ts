/** Number and date formatting shared by every view: fixed locale so figures read the same everywhere. */
const LOCALE = 'en-US';

const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const cellFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 4 });
const statFormat = new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: 6 });
const smallFormat = new Intl.NumberFormat(LOCALE, { notation: 'scientific', maximumSignificantDigits: 3 });
const figureFormat = new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: 3 });
const percentFormat = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0 });
const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const shortDateThisYear = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const shortDate = new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'short', day: 'numeric' });

/** 20631 → "20,631" */
export function formatInteger(n: number): string {
  return Number.isFinite(n) ? integerFormat.format(n) : '—';
}

const MAX_CELL_DECIMALS = 4;
const fixedFormats = Array.from(
  { length: MAX_CELL_DECIMALS + 1 },
  (_, d) => new Intl.NumberFormat(LOCALE, { minimumFractionDigits: d, maximumFractionDigits: d }),
);

/**
 * a value in the preview table with thousands separators; with `decimals` every value of a column
 * gets the same number of decimals, so the points line up
 */
export function formatCell(n: number, decimals?: number): string {
  if (!Number.isFinite(n)) return '—';
  const fixed = decimals === undefined ? undefined : fixedFormats[Math.min(MAX_CELL_DECIMALS, Math.max(0, decimals))];
  return (fixed ?? cellFormat).format(n);
}

/** How many decimals (at most 4) the values need to be shown as written in the file. */
export function decimalsNeeded(values: Iterable<number>): number {
  let needed = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    while (needed < MAX_CELL_DECIMALS) {
      const scaled = v * 10 ** needed;
      if (Math.abs(scaled - Math.round(scaled)) <= 1e-6 * Math.max(1, Math.abs(scaled))) break;
      needed++;
    }
    if (needed === MAX_CELL_DECIMALS) break;
  }
  return needed;
}

/** a statistic (min, max, mean, std): 6 significant digits, scientific below 1e-4 */
export function formatStat(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n !== 0 && Math.abs(n) < 1e-4) return smallFormat.format(n);
  return statFormat.format(n);
}

/** a summary figure (an error, a band edge, a score beside its threshold): 3 significant digits, scientific below 1e-4 */
export function formatFigure(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n !== 0 && Math.abs(n) < 1e-4) return smallFormat.format(n);
  return figureFormat.format(n);
}

export function formatPercent(fraction: number): string {
  return percentFormat.format(Math.min(1, Math.max(0, fraction)));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatInteger(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
}

/** "1 unit", "3 units" */
export function plural(n: number, word: string, wordPlural = `${word}s`): string {
  return `${formatInteger(n)} ${n === 1 ? word : wordPlural}`;
}

/** compact form for lists: "Nov 29, 05:04" this year, "Nov 29, 2024" before */
export function formatShortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.getFullYear() === new Date().getFullYear() ? shortDateThisYear.format(d) : shortDate.format(d);
}

const fixedCache = new Map<number, Intl.NumberFormat>();
function fixed(decimals: number): Intl.NumberFormat {
  let f = fixedCache.get(decimals);
  if (f === undefined) {
    f = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    fixedCache.set(decimals, f);
  }
  return f;
}

/** a value with a fixed number of decimals and thousands separators ("9,310.2"); "—" for null */
export function formatFixed(n: number | null | undefined, decimals: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : fixed(decimals).format(n);
}

/** a score in [0, 1] (F2, ROC-AUC, a probability): three decimals */
export function formatScore(n: number | null | undefined): string {
  return formatFixed(n, 3);
}

/** a threshold: four decimals, so nearby thresholds stay distinct */
export function formatThreshold(n: number | null | undefined): string {
  return formatFixed(n, 4);
}

/** a duration: "0.19 s", "3.6 s", "2 min 05 s" */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${formatFixed(seconds, 2)} s`;
  if (seconds < 60) return `${formatFixed(seconds, 1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/**
 * Shortens a long name in the middle, keeping its end (where feature names differ: the sensor,
 * statistic and window): "high_pressure_co…sensor_21_mean_10".
 */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.max(3, Math.floor(max * 0.25));
  const tail = Math.max(1, max - 1 - head);
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}
