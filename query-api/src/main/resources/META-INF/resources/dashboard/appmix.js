// Feed-only, messenger-only and both: over time, and over the whole range.
import { query } from './api.js';
import { chart } from './charts.js';
import { csvButton, load, table, tableRows } from './panel.js';

const METRICS = ['feed_only_users', 'messenger_only_users', 'both_users'];
const NAMES = ['Feed only', 'Messenger only', 'Both'];
const panel = () => document.getElementById('appmix');

export function setup() {
  csvButton(panel(), 'app-mix', () => tableRows(panel().querySelector('.table')));
}

export function render(ctx, hooks) {
  return load(panel(), async (current) => {
    const ask = (dimensions) => query({ metrics: METRICS, date_range: [ctx.from, ctx.to], dimensions, filters: ctx.filters });
    const [series, totals] = await Promise.all([ask([`time:${ctx.interval}`]), ask([])]);
    if (!current()) {
      return false;
    }
    const rows = series.results.map((r) => [r.dimensions[0], ...r.metrics.map(Number)]);
    chart(panel().querySelector('canvas'), 'bar', rows.map((r) => r[0]),
      NAMES.map((label, i) => ({ label, data: rows.map((r) => r[i + 1]) })), { stacked: true });
    table(document.getElementById('appmix-series'), [ctx.interval, ...NAMES], rows);
    const sums = totals.results[0].metrics.map(Number);
    table(panel().querySelector('.table'), ['Users', `${ctx.from} to ${ctx.to}`], NAMES.map((n, i) => [n, sums[i]]));
    return sums.every((v) => v === 0);
  }, hooks);
}
