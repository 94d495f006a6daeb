// Time-series charts with uPlot (served from its own package). The figure carries the number of
// points it shows in data-points, for people and for the browser test alike.
import uPlot from '/_lambdalite/vendor/uplot.js';
import { h } from './dom.js';

const COLOURS = ['#0b63c5', '#b42318', '#067647', '#b54708', '#6941c6'];
const plots = new Map();

window.addEventListener('resize', () => {
  for (const { plot, holder } of plots.values())
    plot.setSize({ width: Math.max(260, holder.clientWidth), height: 180 });
});

/** Drops the charts of the page being left. */
export function disposeCharts() {
  for (const { plot } of plots.values()) plot.destroy();
  plots.clear();
}

/** A figure with a caption and a uPlot chart of `series` ([label, row => value]) over `rows`. */
export function chart(id, caption, rows, series, unit = '', range = undefined) {
  const figure = h(
    'figure',
    { class: 'chart', 'data-chart': id, 'data-points': rows.length },
    h('figcaption', { id: `cap-${id}` }, caption),
  );
  const xs = rows.map((r) => r.timestamp / 1000);
  const data = [xs, ...series.map(([, value]) => rows.map((r) => value(r) ?? null))];
  const summary = series
    .map(([label, value]) => {
      const last = rows.length === 0 ? undefined : value(rows[rows.length - 1]);
      return `${label}: ${last === undefined || last === null ? 'no data' : `${Math.round(last * 10) / 10}${unit}`}`;
    })
    .join('; ');
  figure.append(
    h(
      'p',
      { class: 'empty', 'aria-live': 'off' },
      rows.length === 0 ? 'No data in this window yet.' : `Latest: ${summary}`,
    ),
  );
  const holder = h('div', { role: 'img', 'aria-labelledby': `cap-${id}` });
  figure.append(holder);
  queueMicrotask(() => {
    const width = Math.max(260, holder.clientWidth || 420);
    const plot = new uPlot(
      {
        width,
        height: 180,
        scales: {
          x: range ? { time: true, range: [range.startTime / 1000, range.endTime / 1000] } : { time: true },
        },
        series: [
          {},
          ...series.map(([label], i) => ({
            label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            points: { show: true },
          })),
        ],
        axes: [{}, { size: 50 }],
      },
      data,
      holder,
    );
    plots.get(id)?.plot.destroy();
    plots.set(id, { plot, holder });
  });
  return figure;
}
