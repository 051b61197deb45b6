// Cohort retention as a heatmap table: one row per cohort, the share of it active N days (weeks) later.
import { get } from './api.js';
import { csvButton, formatPercent, load, table, tableRows } from './panel.js';
import { addDays, mondayOf, view } from './view.js';

const HORIZON = { day: 7, week: 4 };
const panel = () => document.getElementById('retention');

export function setup(onChange) {
  const select = document.getElementById('retention-period');
  select.addEventListener('change', () => {
    view.retention = select.value;
    onChange();
  });
  csvButton(panel(), () => `retention-by-${view.retention}`, () => tableRows(panel().querySelector('.table')));
}

export function render(ctx, hooks) {
  const period = view.retention === 'week' ? 'week' : 'day';
  document.getElementById('retention-period').value = period;
  const horizon = HORIZON[period];
  // weekly cohorts are keyed by their Monday
  const from = period === 'week' ? mondayOf(ctx.from) : ctx.from;
  return load(panel(), async (current) => {
    const answer = await get('/v1/retention', { from, to: ctx.to, period, horizon });
    if (!current()) {
      return false;
    }
    const columns = ['Cohort', 'Users', ...Array.from({ length: horizon + 1 }, (_, k) => `${period === 'week' ? 'Week' : 'Day'} ${k}`)];
    const rows = answer.cohorts.map((c) => [c.cohort, c.size, ...c.retained]);
    const rates = answer.cohorts.map((c) => c.rates);
    const step = period === 'week' ? 7 : 1;
    let r = -1;
    table(panel().querySelector('.table'), columns, rows, {
      cell: (td, value, i, row) => {
        if (i === 0) {
          r += 1;
        }
        if (i < 2) {
          return;
        }
        const k = i - 2;
        const rate = rates[r][k];
        td.classList.add('heat');
        if (addDays(row[0], k * step) > ctx.today) {
          td.classList.add('future');
          td.textContent = '';
          td.title = 'not yet';
          return;
        }
        if (row[1] === 0) {
          td.textContent = '–';
          td.title = 'no new users that day';
          return;
        }
        td.textContent = formatPercent(rate);
        td.classList.toggle('hot', rate > 0.55);
        td.title = `${value} of ${row[1]} users`;
        td.style.setProperty('--heat', String(rate));
      },
    });
    return rows.every((row) => row[1] === 0) ? 'No new users in this range, so no cohorts.' : false;
  }, hooks);
}
