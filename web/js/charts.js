// Small inline SVG charts drawn by hand (no chart library): bars for per-day counts and percentages.
import { svg } from './dom.js';

// series: [{name, cls, values}] over the same labels; grouped bars with a text fallback in <title>.
export function groupedBars(labels, series, title, { width = 640, height = 220, max } = {}) {
  const top = max || Math.max(1, ...series.flatMap((s) => s.values.map((v) => v || 0)));
  const pad = { left: 36, bottom: 40, top: 10 };
  const plot = height - pad.bottom - pad.top;
  const step = (width - pad.left) / Math.max(labels.length, 1);
  const bar = Math.max(2, (step - 6) / series.length);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title },
    svg('title', {}, title));
  for (const tick of [0, 0.5, 1]) {
    const y = pad.top + plot - tick * plot;
    chart.append(svg('line', { x1: pad.left, x2: width, y1: y, y2: y, class: 'grid' }),
      svg('text', { x: pad.left - 4, y: y + 4, 'text-anchor': 'end', class: 'axis' }, String(Math.round(top * tick))));
  }
  labels.forEach((text, i) => {
    series.forEach((s, j) => {
      const value = s.values[i] || 0;
      const tall = (value / top) * plot;
      chart.append(svg('rect', { x: pad.left + i * step + 3 + j * bar, y: pad.top + plot - tall, width: bar - 1, height: tall, class: s.cls },
        svg('title', {}, `${text} · ${s.name}: ${value}`)));
    });
    chart.append(svg('text', { x: pad.left + i * step + step / 2, y: height - pad.bottom + 14, 'text-anchor': 'middle', class: 'axis' }, text));
  });
  series.forEach((s, j) => chart.append(
    svg('rect', { x: pad.left + j * 120, y: height - 16, width: 10, height: 10, class: s.cls }),
    svg('text', { x: pad.left + j * 120 + 14, y: height - 7, class: 'axis' }, s.name)));
  return chart;
}

// Horizontal bars for percentages (SLA compliance), one line per agency.
export function percentBars(rows, title) {
  const line = 24;
  const width = 420;
  const height = rows.length * line + 10;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title }, svg('title', {}, title));
  rows.forEach((row, i) => {
    const y = 5 + i * line;
    const pct = row.value === null || row.value === undefined ? null : row.value * 100;
    const cls = pct === null ? 'bar-none' : pct >= 90 ? 'bar-ok' : pct >= 70 ? 'bar-soon' : 'bar-over';
    chart.append(svg('text', { x: 0, y: y + 14, class: 'axis' }, row.name.slice(0, 16)),
      svg('rect', { x: 120, y, width: pct === null ? 2 : (pct / 100) * 250, height: line - 6, class: cls }),
      svg('text', { x: 120 + (pct === null ? 6 : (pct / 100) * 250 + 6), y: y + 14, class: 'axis' }, pct === null ? '—' : `${pct.toFixed(0)}%`));
  });
  return chart;
}
