// What the dashboard shows, kept in the URL's query string (never the token) so that a reload or a link restores it.
export const DIMENSIONS = [
  ['user:country', 'Country'], ['user:city', 'City'], ['user:os', 'OS'], ['user:source', 'Source'],
  ['user:age', 'Age'], ['user:gender', 'Gender'], ['user:exp_group', 'Experiment group'], ['device', 'Device'],
  ['page:host', 'Page host'], ['event:name', 'Event'], ['event:category', 'Event category'],
  ['content:id', 'Content'], ['content:type', 'Content type'], ['post:id', 'Post'],
];

export const LABELS = Object.fromEntries(DIMENSIONS);

const DEFAULTS = { range: '7d', from: '', to: '', interval: 'day', metric: 'active_users', retention: 'day', rt: '30', host: '', user: '',
  funnel: 'signup,feed.view,purchase', window: '7d' };

export const view = { ...DEFAULTS, filters: [] };

export function readUrl() {
  const params = new URLSearchParams(location.search);
  for (const key of Object.keys(DEFAULTS)) {
    view[key] = params.get(key) ?? DEFAULTS[key];
  }
  view.filters = params.getAll('f').map((f) => f.split('|')).filter((f) => f.length >= 3)
    .map(([op, dimension, ...value]) => [op, dimension, [value.join('|')]]);
}

export function writeUrl() {
  const params = new URLSearchParams();
  for (const [key, fallback] of Object.entries(DEFAULTS)) {
    if (view[key] && view[key] !== fallback) {
      params.set(key, view[key]);
    }
  }
  view.filters.forEach(([op, dimension, values]) => params.append('f', `${op}|${dimension}|${values[0]}`));
  const search = params.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

/** Adds (or replaces) an "is" filter on a dimension. */
export function addFilter(dimension, value) {
  view.filters = view.filters.filter(([, d]) => d !== dimension).concat([['is', dimension, [value]]]);
}

export function removeFilter(index) {
  view.filters = view.filters.filter((_, i) => i !== index);
}

// dates are app-local calendar days, as YYYY-MM-DD strings; arithmetic in UTC avoids the browser's own DST
export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function todayIn(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function mondayOf(day) {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** The range in view, its previous period of the same length, and what every panel needs to ask. */
export function context(timeZone) {
  const today = todayIn(timeZone);
  let from;
  let to = today;
  if (view.range === 'today') {
    from = today;
  } else if (view.range === '30d') {
    from = addDays(today, -29);
  } else if (view.range === 'custom' && view.from && view.to) {
    ({ from, to } = view);
  } else {
    from = addDays(today, -6);
  }
  const length = daysBetween(from, to) + 1;
  return {
    timeZone, today, from, to, length,
    previous: [addDays(from, -length), addDays(from, -1)],
    filters: view.filters.map((f) => [...f]),
    interval: view.interval,
  };
}
