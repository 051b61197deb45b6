// A host's month as a calendar: hits and unique visitors per day (GET /v1/hosts/{host}/activity).
import { get, query } from './api.js';
import { csvButton, format, load, table, tableRows } from './panel.js';
import { view } from './view.js';

const panel = () => document.getElementById('hosts');
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function setup(onChange) {
  document.getElementById('host-form').addEventListener('submit', (e) => {
    e.preventDefault();
    view.host = document.getElementById('host').value.trim();
    onChange();
  });
  csvButton(panel(), () => `host-${view.host}`, () => tableRows(panel().querySelector('.table')));
}

/** The busiest hosts of the range, offered in the host field; the first is shown when none is chosen. */
async function topHosts(ctx) {
  const answer = await query({ metrics: ['page_views'], date_range: [ctx.from, ctx.to], dimensions: ['page:host'],
    order_by: [['page_views', 'desc']], limit: 10 });
  const hosts = answer.results.map((r) => r.dimensions[0]).filter((h) => h != null);
  document.getElementById('host-list').replaceChildren(...hosts.map((h) => new Option(h)));
  return hosts;
}

function calendar(container, month, hits, visitors) {
  const grid = document.createElement('div');
  grid.className = 'days';
  grid.setAttribute('role', 'presentation');
  grid.append(...WEEKDAYS.map((d) => Object.assign(document.createElement('span'), { className: 'weekday', textContent: d })));
  const offset = (new Date(`${month}-01T00:00:00Z`).getUTCDay() + 6) % 7;
  for (let i = 0; i < offset; i++) {
    grid.append(document.createElement('span'));
  }
  const max = Math.max(1, ...hits);
  hits.forEach((h, i) => {
    const day = document.createElement('span');
    day.className = 'day';
    day.dataset.day = String(i + 1);
    day.dataset.hits = String(h);
    day.dataset.visitors = String(visitors[i]);
    day.style.setProperty('--heat', String(h / max));
    day.title = `${month}-${String(i + 1).padStart(2, '0')}: ${h} hits, ${visitors[i]} unique visitors`;
    const n = Object.assign(document.createElement('b'), { textContent: String(i + 1) });
    const v = Object.assign(document.createElement('small'), { textContent: h ? `${format(h)} · ${format(visitors[i])}` : '' });
    day.append(n, v);
    grid.append(day);
  });
  const title = Object.assign(document.createElement('p'), { className: 'month' });
  title.textContent = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
  container.replaceChildren(title, grid);
}

export function render(ctx, hooks) {
  const month = ctx.to.slice(0, 7);
  return load(panel(), async (current) => {
    const hosts = await topHosts(ctx);
    const host = view.host || hosts[0];
    if (!current()) {
      return false;
    }
    document.getElementById('host').value = host ?? '';
    if (!host) {
      panel().querySelector('.calendar').replaceChildren();
      return 'No page views with a host in this range; type a host to see its month.';
    }
    const answer = await get(`/v1/hosts/${encodeURIComponent(host)}/activity`, { month });
    if (!current()) {
      return false;
    }
    calendar(panel().querySelector('.calendar'), month, answer.hit_array.map(Number), answer.unique_visitors_array.map(Number));
    table(panel().querySelector('.table'), ['day', 'hits', 'unique_visitors'],
      answer.hit_array.map((h, i) => [`${month}-${String(i + 1).padStart(2, '0')}`, Number(h), Number(answer.unique_visitors_array[i])]),
      { caption: `${answer.host}, ${month}` });
    return answer.hit_array.every((h) => Number(h) === 0) ? `No hits on ${answer.host} in ${month}.` : false;
  }, hooks);
}
