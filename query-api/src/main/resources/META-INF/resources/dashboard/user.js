// One user (GET /v1/users/{id}): traits now and since when, first and last seen, active days, devices.
import { get } from './api.js';
import { csvButton, load, table, tableRows } from './panel.js';
import { view } from './view.js';

const panel = () => document.getElementById('user');

export function setup(onChange) {
  document.getElementById('user-form').addEventListener('submit', (e) => {
    e.preventDefault();
    view.user = document.getElementById('user-id').value.trim();
    onChange();
  });
  csvButton(panel(), () => `user-${view.user}`, () => tableRows(panel().querySelector('.table')));
}

export function render(ctx, hooks) {
  document.getElementById('user-id').value = view.user;
  return load(panel(), async (current) => {
    if (!view.user) {
      panel().querySelector('.table').replaceChildren();
      document.getElementById('user-devices').replaceChildren();
      return 'Type a user id to see that user.';
    }
    const u = await get(`/v1/users/${encodeURIComponent(view.user)}`, { month: ctx.to.slice(0, 7) });
    if (!current()) {
      return false;
    }
    const traits = u.traits ?? {};
    table(panel().querySelector('.table'), ['Field', u.user_id], [
      ['First seen', u.first_seen], ['Last seen', u.last_seen],
      ['Active days, last 7', u.l7], ['Active days, last 28', u.l28],
      [`Active in ${u.month}`, u.active_dates.join(' ')],
      ...['gender', 'age', 'os', 'source', 'country', 'city', 'exp_group'].map((t) => [t, traits[t] ?? null]),
      ['Traits since', traits.since ?? null],
    ]);
    table(document.getElementById('user-devices'), ['Device', 'Browser', 'First active', 'Last active', 'Active days'],
      u.devices.map((d) => [d.device, d.browser, d.first_active, d.last_active, d.active_days]));
    return false;
  }, hooks);
}
