// Real time from Redis, refreshed every few seconds without reloading the page.
import { get } from './api.js';
import { chart } from './charts.js';
import { csvButton, format, load, table, tableRows } from './panel.js';
import { view } from './view.js';

const EVERY_MS = 5_000;
const panel = () => document.getElementById('realtime');
let timer = null;
let inFlight = false;
let context = null;
let hooks = {};

export function setup(onChange) {
  const select = document.getElementById('rt-minutes');
  select.addEventListener('change', () => {
    view.rt = select.value;
    onChange();
  });
  csvButton(panel(), 'realtime-events-per-minute', () => tableRows(panel().querySelector('.per-minute')));
}

function refresh(quiet = false) {
  const minutes = view.rt;
  return load(panel(), async (current) => {
    const answer = await get('/v1/realtime', { minutes });
    if (!current()) {
      return false;
    }
    document.getElementById('rt-users').textContent = format(answer.active_users);
    document.getElementById('rt-users').dataset.value = String(answer.active_users);
    document.getElementById('rt-events').textContent = format(answer.events);
    document.getElementById('rt-events').dataset.value = String(answer.events);
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: context.timeZone, hour: '2-digit', minute: '2-digit' });
    const perMinute = answer.events_per_minute.map((m) => [time.format(new Date(m.minute)), m.events]);
    chart(panel().querySelector('canvas'), 'bar', perMinute.map((m) => m[0]), [{ label: 'events', data: perMinute.map((m) => m[1]) }]);
    let hidden = panel().querySelector('.per-minute');
    if (!hidden) {
      hidden = document.createElement('div');
      hidden.className = 'per-minute sr-only';
      panel().append(hidden);
    }
    table(hidden, ['minute', 'events'], answer.events_per_minute.map((m) => [m.minute, m.events]));
    table(document.getElementById('rt-content'), ['Content', 'Events'], answer.top_content.map((c) => [c.content_id, c.events]));
    table(document.getElementById('rt-top-events'), ['Event', 'Count'], answer.top_events.map((e) => [e.event, e.events]));
    const clock = new Intl.DateTimeFormat('en-GB', { timeZone: context.timeZone, timeStyle: 'medium' });
    document.getElementById('rt-updated').textContent = `Updated ${clock.format(new Date())}; refreshes every ${EVERY_MS / 1000} s.`;
    return answer.events === 0 ? `No events in the last ${minutes} minutes.` : false;
  }, { ...hooks, quiet });
}

async function tick() {
  if (inFlight || document.hidden || !context) {
    return;
  }
  inFlight = true;
  try {
    await refresh(true);
  } finally {
    inFlight = false;
  }
}

export function render(ctx, panelHooks) {
  context = ctx;
  hooks = panelHooks;
  document.getElementById('rt-minutes').value = view.rt;
  clearInterval(timer);
  timer = setInterval(tick, EVERY_MS);
  return refresh();
}

export function stop() {
  clearInterval(timer);
  context = null;
}
