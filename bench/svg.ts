/** A small hand-written SVG line chart: one x axis, a left and a right y axis. */

export interface Series {
  name: string;
  color: string;
  axis: 'left' | 'right';
  points: { x: number; y: number }[];
  dashed?: boolean;
  /** A reference line: no markers on its points. */
  reference?: boolean;
}

export interface ChartSpec {
  title: string;
  subtitle: string;
  xLabel: string;
  leftLabel: string;
  rightLabel: string;
  series: Series[];
  /** Logarithmic right axis (latencies spanning milliseconds to seconds). */
  rightLog?: boolean;
  /** A note under the chart. */
  note?: string;
  /** Horizontal reference lines, e.g. targets. */
  marks?: { axis: 'left' | 'right'; y: number; label: string; color: string }[];
}

/** About five round tick values from 0 to at least `max`. */
export function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((s) => s * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

/** Powers of ten covering `min`–`max`. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-3)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, 1e-3))));
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 3 });

export function lineChart(c: ChartSpec): string {
  const W = 760;
  const H = c.note ? 460 : 440;
  const m = { l: 72, r: 72, t: 64, b: c.note ? 104 : 84 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const all = (axis: 'left' | 'right') => [
    ...c.series.filter((s) => s.axis === axis).flatMap((s) => s.points.map((p) => p.y)),
    ...(c.marks ?? []).filter((k) => k.axis === axis).map((k) => k.y),
  ];
  const xt = ticks(Math.max(...c.series.flatMap((s) => s.points.map((p) => p.x)), 1));
  const lt = ticks(Math.max(...all('left'), 1));
  const rights = all('right').filter((v) => v > 0);
  const rt = c.rightLog ? logTicks(Math.min(...rights, 1), Math.max(...rights, 10)) : ticks(Math.max(...all('right'), 1));
  const xMax = xt[xt.length - 1] as number;
  const lMax = lt[lt.length - 1] as number;
  const rMax = rt[rt.length - 1] as number;
  const X = (v: number) => m.l + (v / xMax) * pw;
  const rMin = rt[0] as number;
  const Y = (v: number, axis: 'left' | 'right') => {
    if (axis === 'left') return m.t + ph - (v / lMax) * ph;
    if (!c.rightLog) return m.t + ph - (v / rMax) * ph;
    const f = (Math.log10(Math.max(v, rMin)) - Math.log10(rMin)) / (Math.log10(rMax) - Math.log10(rMin));
    return m.t + ph - f * ph;
  };
  const o: string[] = [];
  o.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  o.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  o.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(c.title)}</text>`);
  o.push(`<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">${esc(c.subtitle)}</text>`);
  for (const v of lt) {
    o.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(v, 'left')}" y2="${Y(v, 'left')}" stroke="#e5e5e5"/>`);
    o.push(`<text x="${m.l - 8}" y="${Y(v, 'left') + 4}" text-anchor="end" fill="#1f5fbf">${num(v)}</text>`);
  }
  for (const v of rt) o.push(`<text x="${m.l + pw + 8}" y="${Y(v, 'right') + 4}" fill="#d9480f">${num(v)}</text>`);
  for (const v of xt) {
    o.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${m.t + ph}" y2="${m.t + ph + 5}" stroke="#333"/>`);
    o.push(`<text x="${X(v)}" y="${m.t + ph + 20}" text-anchor="middle">${num(v)}</text>`);
  }
  o.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  o.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 42}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  o.push(`<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1f5fbf">${esc(c.leftLabel)}</text>`);
  o.push(
    `<text transform="translate(${W - 14} ${m.t + ph / 2}) rotate(90)" text-anchor="middle" fill="#d9480f">${esc(c.rightLabel)}</text>`,
  );
  for (const k of c.marks ?? []) {
    const y = Y(k.y, k.axis);
    o.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="${k.color}" stroke-dasharray="2 4"/>`);
    o.push(
      `<text x="${k.axis === 'left' ? m.l + 6 : m.l + pw - 6}" y="${y - 5}" text-anchor="${k.axis === 'left' ? 'start' : 'end'}" fill="${k.color}" font-size="11">${esc(k.label)}</text>`,
    );
  }
  for (const s of c.series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${X(p.x).toFixed(1)} ${Y(p.y, s.axis).toFixed(1)}`).join(' ');
    o.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (!s.reference)
      for (const p of pts) o.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y, s.axis).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
  }
  if (c.note) o.push(`<text x="${W / 2}" y="${H - 14}" text-anchor="middle" fill="#555" font-size="11">${esc(c.note)}</text>`);
  c.series.forEach((s, i) => {
    const x = m.l + 10 + i * (pw / c.series.length);
    const y = H - (c.note ? 38 : 18);
    o.push(
      `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    o.push(`<text x="${x + 30}" y="${y}">${esc(s.name)}</text>`);
  });
  o.push('</svg>');
  return `${o.join('\n')}\n`;
}
