// The time series of one metric, at the chosen interval, with its data as a table (and CSV).
import { query } from './api.js';
import { chart } from './charts.js';
import { csvButton, load, table, tableRows } from './panel.js';
import { view } from './view.js';

export const METRICS = ['active_users', 'new_users', 'wau', 'mau', 'events', 'revenue', 'views', 'viewers', 'likes', 'likers', 'ctr',
  'avg_view_to_like_seconds', 'posts',
  'feed_users', 'messages', 'senders', 'receivers', 'connections', 'feed_only_users', 'messenger_only_users', 'both_users',
  'signups', 'purchases', 'avg_order_value', 'paying_users', 'page_views', 'plays', 'engagement_seconds', 'avg_engagement_pct',
  'sessions', 'sessions_per_user', 'avg_session_seconds', 'bounce_rate', 'messenger_users', 'receive_only_users',
  'avg_time_between_messages_sent', 'users_lifetime_7d', 'feed_users_lifetime_7d', 'messenger_users_lifetime_7d'];

const panel = () => document.getElementById('series');

export function setup(onChange) {
  const select = document.getElementById('metric');
  select.replaceChildren(...METRICS.map((m) => new Option(m.replaceAll('_', ' '), m)));
  select.addEventListener('change', () => {
    view.metric = select.value;
    onChange();
  });
  csvButton(panel(), () => `${view.metric}-by-${view.interval}`, () => tableRows(panel().querySelector('.table')));
}

export function render(ctx, hooks) {
  document.getElementById('metric').value = view.metric;
  return load(panel(), async (current) => {
    const answer = await query({ metrics: [view.metric], date_range: [ctx.from, ctx.to],
      dimensions: [`time:${ctx.interval}`], filters: ctx.filters });
    if (!current()) {
      return false;
    }
    const rows = answer.results.map((r) => [r.dimensions[0], Number(r.metrics[0])]);
    chart(panel().querySelector('canvas'), 'line', rows.map((r) => r[0]), [{ label: view.metric, data: rows.map((r) => r[1]) }]);
    table(panel().querySelector('.table'), [ctx.interval, view.metric], rows);
    return rows.every((r) => r[1] === 0) ? `No ${view.metric.replaceAll('_', ' ')} in this range.` : false;
  }, hooks);
}
