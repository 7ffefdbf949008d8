// The SVG chart: requests/s over time, one path per policy, the endpoint's capacity as a dashed
// step line, the trouble period shaded. Plain SVG 1.1 with no scripts, fonts or external references,
// so any browser or viewer shows it. The y axis is logarithmic when the flood dwarfs the capacity.

export interface ChartSeries {
  policy: string;
  /** Requests per bin, bin i starting at startAt + i·binMs. */
  bins: ArrayLike<number>;
  /** Bins past this index are outside the run. */
  length: number;
}

export interface ChartInput {
  title: string;
  startAt: number;
  troubleAt: number;
  recoveryAt: number;
  troubleLabel: string;
  binMs: number;
  capacityRps: number;
  /** [time, factor of capacityRps] steps. */
  capacitySteps: [number, number][];
  series: ChartSeries[];
}

const W = 960;
const H = 480;
const M = { left: 78, right: 24, top: 48, bottom: 96 };
const COLORS: Record<string, string> = { tdfwd: '#1b9e77', periodic: '#d95f02', fluentd: '#7570b3' };
const FALLBACK = ['#e7298a', '#66a61e', '#e6ab02'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const f1 = (x: number): string => x.toFixed(1);

export function renderChart(c: ChartInput): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const binS = c.binMs / 1000;
  const nBins = Math.max(1, ...c.series.map((s) => s.length));
  const endAt = c.startAt + nBins * c.binMs;
  const perPx = Math.max(1, Math.ceil(nBins / pw));
  // Highest 10 s average within each pixel column, so short peaks stay visible.
  const columns = c.series.map((s) => {
    const out: number[] = [];
    for (let i = 0; i < s.length; i += perPx) {
      let m = 0;
      for (let j = i; j < Math.min(s.length, i + perPx); j++) m = Math.max(m, (s.bins[j] ?? 0) / binS);
      out.push(m);
    }
    return out;
  });
  const maxRate = Math.max(c.capacityRps * 1.25, ...columns.flat());
  const log = maxRate / c.capacityRps > 20;
  const yMin = log ? Math.max(0.1, 10 ** Math.floor(Math.log10(c.capacityRps / 20))) : 0;
  const yMax = log ? 10 ** Math.ceil(Math.log10(maxRate)) : niceCeil(maxRate);
  const y = (v: number): number => {
    if (log) {
      const l = Math.log10(Math.max(v, yMin));
      return M.top + ph - ((l - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
    }
    return M.top + ph - (v / yMax) * ph;
  };
  const x = (t: number): number => M.left + ((t - c.startAt) / (endAt - c.startAt)) * pw;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(c.title)}</text>`);
  // trouble period
  parts.push(`<rect x="${f1(x(c.troubleAt))}" y="${M.top}" width="${f1(x(c.recoveryAt) - x(c.troubleAt))}" height="${ph}" fill="#fbe3e3"/>`);
  parts.push(`<text x="${f1((x(c.troubleAt) + x(c.recoveryAt)) / 2)}" y="${M.top + 16}" text-anchor="middle" fill="#a33">${esc(c.troubleLabel)}</text>`);
  // y grid and labels
  for (const v of yTicks(yMin, yMax, log)) {
    const yy = f1(y(v));
    parts.push(`<line x1="${M.left}" y1="${yy}" x2="${M.left + pw}" y2="${yy}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${M.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${fmtRate(v)}</text>`);
  }
  // x ticks: hours relative to the start of the trouble
  const hourMs = 3_600_000;
  const span = endAt - c.startAt;
  const stepH = span > 24 * hourMs ? 4 : span > 8 * hourMs ? 2 : span > 2 * hourMs ? 1 : 0.25;
  const step = stepH * hourMs;
  for (let t = c.troubleAt + Math.ceil((c.startAt - c.troubleAt) / step) * step; t <= endAt; t += step) {
    const xx = f1(x(t));
    parts.push(`<line x1="${xx}" y1="${M.top + ph}" x2="${xx}" y2="${M.top + ph + 5}" stroke="#333"/>`);
    const h = (t - c.troubleAt) / hourMs;
    parts.push(`<text x="${xx}" y="${M.top + ph + 18}" text-anchor="middle">${Number.isInteger(h) ? h : h.toFixed(2)}h</text>`);
  }
  // axes
  parts.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="#333"/>`);
  parts.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="#333"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 38}" text-anchor="middle">hours since the ${esc(c.troubleLabel)} began (each point: highest ${binS} s average)</text>`);
  parts.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">requests/s${log ? ' (log scale)' : ''}</text>`);
  // capacity
  const capPts: string[] = [];
  const steps = c.capacitySteps;
  steps.forEach(([t, factor], i) => {
    const next = steps[i + 1]?.[0] ?? endAt;
    const yy = f1(y(c.capacityRps * factor));
    capPts.push(`${f1(x(t))},${yy}`, `${f1(x(Math.min(next, endAt)))},${yy}`);
  });
  parts.push(`<polyline data-series="capacity" points="${capPts.join(' ')}" fill="none" stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  // series
  const legend: [string, string, boolean][] = [];
  c.series.forEach((s, i) => {
    const color = COLORS[s.policy] ?? FALLBACK[i % FALLBACK.length] ?? '#333';
    const col = columns[i] ?? [];
    const d = col.map((v, j) => `${j === 0 ? 'M' : 'L'}${f1(x(c.startAt + (j * perPx + perPx / 2) * c.binMs))},${f1(y(v))}`).join('');
    parts.push(`<path data-policy="${esc(s.policy)}" d="${d}" fill="none" stroke="${color}" stroke-width="1.4"/>`);
    legend.push([s.policy, color, false]);
  });
  legend.push([`capacity (${fmtRate(c.capacityRps)} req/s)`, '#000', true]);
  let lx = M.left;
  const ly = H - 22;
  for (const [label, color, dashed] of legend) {
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="${dashed ? 1.5 : 3}"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle">${esc(label)}</text>`);
    lx += 44 + label.length * 7;
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function yTicks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let v = min; v <= max * 1.0001; v *= 10) out.push(v);
    return out;
  }
  const step = niceCeil(max / 5);
  const out: number[] = [];
  for (let v = 0; v <= max + step / 1000; v += step) out.push(v);
  return out;
}

function fmtRate(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(v < 1 ? 2 : 1)}`;
}
