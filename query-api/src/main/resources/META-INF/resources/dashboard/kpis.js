// KPI cards: each figure over the range and its change against the previous period of the same length.
import { query } from './api.js';
import { csvButton, format, formatPercent, load } from './panel.js';

const METRICS = [['active_users', 'Active users'], ['wau', 'Weekly active'], ['mau', 'Monthly active'],
  ['new_users', 'New users'], ['events', 'Events'], ['revenue', 'Revenue']];

function change(now, before) {
  if (before === 0) {
    return now === 0 ? ['flat', 'no change'] : ['up', 'new'];
  }
  const rate = (now - before) / before;
  return [rate > 0 ? 'up' : rate < 0 ? 'down' : 'flat', `${rate > 0 ? '+' : ''}${formatPercent(rate)}`];
}

// what the cards show, as CSV rows: the header names both periods
let shown = [];

export function setup() {
  csvButton(document.getElementById('kpis'), 'key-figures', () => shown);
}

export function render(ctx, hooks) {
  const panel = document.getElementById('kpis');
  return load(panel, async (current) => {
    const ask = (range) => query({ metrics: METRICS.map(([m]) => m), date_range: range, filters: ctx.filters });
    const [now, before] = await Promise.all([ask([ctx.from, ctx.to]), ask(ctx.previous)]);
    if (!current()) {
      return false;
    }
    const values = now.results[0].metrics;
    const previous = before.results[0].metrics;
    shown = [['Measure', `${ctx.from} to ${ctx.to}`, `${ctx.previous[0]} to ${ctx.previous[1]}`],
      ...METRICS.map(([, label], i) => [label, values[i], previous[i]])];
    const period = ctx.length === 1 ? 'the day before' : `the previous ${ctx.length} days`;
    panel.querySelector('.kpis').replaceChildren(...METRICS.map(([metric, label], i) => {
      const card = document.createElement('div');
      card.className = 'kpi';
      card.dataset.metric = metric;
      const [direction, text] = change(Number(values[i]), Number(previous[i]));
      const name = document.createElement('span');
      name.className = 'label';
      name.textContent = label;
      name.title = metric === 'wau' || metric === 'mau' ? `on ${ctx.to}` : `${ctx.from} to ${ctx.to}`;
      const value = document.createElement('span');
      value.className = 'value';
      value.dataset.value = String(values[i]);
      value.textContent = format(values[i]);
      const delta = document.createElement('span');
      delta.className = `change ${direction}`;
      delta.dataset.previous = String(previous[i]);
      delta.textContent = `${text} vs ${period}`;
      card.append(name, value, delta);
      return card;
    }));
    return false;
  }, hooks);
}
