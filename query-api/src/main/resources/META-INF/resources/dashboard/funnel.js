// A funnel (POST /v1/funnel) over the range: the steps typed in, the window chosen, the dashboard's filters on every
// step; per step the users, conversion from the first and previous step, drop-off and median time to convert.
import { post } from './api.js';
import { csvButton, formatPercent, load, table, tableRows } from './panel.js';
import { view } from './view.js';

const panel = () => document.getElementById('funnel');

/** Step names as typed: comma-separated, blanks dropped. */
function steps(text) {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Seconds in words a person reads at a glance: 45 s, 12 min, 3.5 h, 2.1 d. */
function duration(seconds) {
  if (seconds == null) {
    return '–';
  }
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  if (seconds < 3600) {
    return `${Math.round(seconds / 60)} min`;
  }
  return seconds < 86400 ? `${(seconds / 3600).toFixed(1)} h` : `${(seconds / 86400).toFixed(1)} d`;
}

export function setup(onChange) {
  document.getElementById('funnel-form').addEventListener('submit', (e) => {
    e.preventDefault();
    view.funnel = steps(document.getElementById('funnel-steps').value).join(',');
    view.window = document.getElementById('funnel-window').value;
    onChange();
  });
  csvButton(panel(), () => 'funnel', () => tableRows(panel().querySelector('.table')));
}

export function render(ctx, hooks) {
  document.getElementById('funnel-steps').value = view.funnel.split(',').join(', ');
  document.getElementById('funnel-window').value = view.window;
  return load(panel(), async (current) => {
    const names = steps(view.funnel);
    if (names.length < 2) {
      panel().querySelector('.table').replaceChildren();
      return 'Type two to ten event names, separated by commas.';
    }
    const answer = await post('/v1/funnel', {
      steps: names.map((event) => (ctx.filters.length ? { event, filters: ctx.filters } : { event })),
      window: view.window,
      date_range: [ctx.from, ctx.to],
    });
    if (!current()) {
      return false;
    }
    const figures = answer.results[0]?.steps ?? [];
    const rows = figures.map((s) => [s.step, s.event, s.users, s.conversion_from_first, s.conversion_from_previous, s.drop_off,
      s.median_seconds_from_previous]);
    table(panel().querySelector('.table'), ['Step', 'Event', 'Users', 'From first', 'From previous', 'Drop-off', 'Median time'], rows, {
      cell: (td, value, i) => {
        if (i === 3 || i === 4) {
          td.textContent = formatPercent(value);
          td.style.setProperty('--share', String(value ?? 0));
          td.classList.add('share');
        } else if (i === 6) {
          td.textContent = duration(value);
        }
      },
    });
    return figures.length && figures[0].users === 0 ? `No user did “${names[0]}” in this range.` : false;
  }, hooks);
}
