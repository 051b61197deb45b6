// Sign-in, the controls and filters, and rendering every panel for the view in the URL.
import { describe, query, session } from './api.js';
import { download, tableRows } from './panel.js';
import * as appmix from './appmix.js';
import * as breakdowns from './breakdowns.js';
import * as funnel from './funnel.js';
import * as hosts from './hosts.js';
import * as kpis from './kpis.js';
import * as quality from './quality.js';
import * as realtime from './realtime.js';
import * as retention from './retention.js';
import * as series from './series.js';
import * as user from './user.js';
import { LABELS, addFilter, context, readUrl, removeFilter, view, writeUrl } from './view.js';

// panels whose endpoint takes no filters say so while filters are active
const UNFILTERED = { retention: '/v1/retention', realtime: '/v1/realtime', hosts: '/v1/hosts', quality: '/v1/quality', user: '/v1/users' };

let timeZone = null;
let renders = 0;
// renders still running: a second one can start (a click) before the first has settled
let pending = 0;
const $ = (id) => document.getElementById(id);

function showSignin(message, app = session.get()?.app) {
  // nothing refreshes while signed out (not even when the tab comes back to the front)
  realtime.stop();
  timeZone = null;
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-error').hidden = !message;
  $('signin-error').textContent = message ?? '';
  $('signin-app').value = app ?? new URLSearchParams(location.search).get('app') ?? $('signin-app').value;
  $('signin-token').value = '';
  (message ? $('signin-token') : $('signin-app')).focus();
}

const hooks = {
  onUnauthorized: () => {
    // the app id stays filled in: only the token has to be typed again
    const app = session.get()?.app;
    session.clear();
    showSignin('The read token is no longer accepted (401): it may have been rotated. Sign in again.', app);
  },
};

/** Checks the stored token with a one-row query, and learns the app's timezone from its answer. */
async function start() {
  const answer = await query({ metrics: ['events'], date_range: 'today' });
  timeZone = answer.meta.time_zone;
  $('signin').hidden = true;
  $('app').hidden = false;
  $('app-name').textContent = session.get().app;
  $('tz').textContent = timeZone;
  renderAll();
}

function renderFilters() {
  const bar = $('filters');
  bar.replaceChildren(...view.filters.map(([op, dimension, values], i) => {
    const chip = document.createElement('span');
    chip.className = 'chip';
    const text = `${LABELS[dimension] ?? dimension} ${op.replace('_', ' ')} ${values.join(', ')}`;
    chip.dataset.dimension = dimension;
    chip.dataset.value = values[0];
    chip.textContent = text;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '×';
    remove.setAttribute('aria-label', `Remove filter ${text}`);
    remove.addEventListener('click', () => {
      removeFilter(i);
      renderAll();
      // the button is gone: the keyboard goes on from the next filter, or the controls
      ($('filters').querySelectorAll('.chip button')[i] ?? $('range')).focus();
    });
    chip.append(remove);
    return chip;
  }));
  document.body.classList.toggle('filtered', view.filters.length > 0);
}

function renderControls(ctx) {
  $('range').value = view.range;
  $('interval').value = view.interval;
  $('custom-range').hidden = view.range !== 'custom';
  $('from').value = ctx.from;
  $('to').value = ctx.to;
}

/** Renders every panel; body[data-busy] is "false" and data-renders counts up once all renders have settled. */
async function renderAll() {
  writeUrl();
  const ctx = context(timeZone);
  renderControls(ctx);
  renderFilters();
  pending += 1;
  document.body.dataset.busy = 'true';
  await Promise.all([
    kpis.render(ctx, hooks),
    series.render(ctx, hooks),
    breakdowns.render(ctx, hooks, (dimension, value) => {
      addFilter(dimension, value);
      renderAll();
      // the row's button is redrawn: the keyboard goes on from the new filter, which Enter removes again
      $('filters').querySelector('.chip:last-child button').focus();
    }),
    appmix.render(ctx, hooks),
    realtime.render(ctx, hooks),
    retention.render(ctx, hooks),
    funnel.render(ctx, hooks),
    hosts.render(ctx, hooks),
    quality.render(ctx, hooks),
    user.render(ctx, hooks),
  ]);
  renders += 1;
  if (renders === 1) {
    window.pulseFirstRender = performance.now();
  }
  pending -= 1;
  document.body.dataset.renders = String(renders);
  document.body.dataset.busy = String(pending > 0);
}

function renderOne(panel) {
  return () => {
    writeUrl();
    panel.render(context(timeZone), hooks);
  };
}

function setup() {
  for (const [id, endpoint] of Object.entries(UNFILTERED)) {
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = `Filters do not apply here: ${endpoint} takes none.`;
    $(id).querySelector('.panel-head').after(note);
  }
  // the secondary tables of a panel have their own CSV button
  for (const button of document.querySelectorAll('[data-csv-for]')) {
    button.addEventListener('click', () => download(button.dataset.csvFor, tableRows($(button.dataset.csvFor))));
  }
  kpis.setup();
  breakdowns.setup();
  series.setup(renderOne(series));
  appmix.setup();
  realtime.setup(renderOne(realtime));
  retention.setup(renderOne(retention));
  funnel.setup(renderOne(funnel));
  hosts.setup(renderOne(hosts));
  quality.setup();
  user.setup(renderOne(user));

  $('range').addEventListener('change', () => {
    view.range = $('range').value;
    const custom = view.range === 'custom';
    // a custom range starts from the range shown; the others need no dates in the URL
    view.from = custom ? $('from').value : '';
    view.to = custom ? $('to').value : '';
    renderAll();
  });
  for (const id of ['from', 'to']) {
    $(id).addEventListener('change', () => {
      if ($('from').value && $('to').value) {
        view.from = $('from').value;
        view.to = $('to').value;
        renderAll();
      }
    });
  }
  $('interval').addEventListener('change', () => {
    view.interval = $('interval').value;
    renderAll();
  });
  $('signout').addEventListener('click', () => {
    session.clear();
    showSignin();
  });
  $('signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const app = $('signin-app').value.trim();
    session.set(app, $('signin-token').value.trim());
    $('signin-submit').disabled = true;
    try {
      await start();
    } catch (error) {
      session.clear();
      const words = error.status === 401 ? `Sign-in failed: that read token is not known (401).`
        : error.status === 404 ? `Sign-in failed: the token is not the read token of app “${app}” (404).` : describe(error);
      showSignin(words);
    } finally {
      $('signin-submit').disabled = false;
    }
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && timeZone && session.get()) {
      realtime.render(context(timeZone), hooks);
    }
  });
}

readUrl();
setup();
if (session.get()) {
  start().catch((error) => {
    const { app } = session.get();
    // only a refused token is forgotten: a server that is down or busy does not sign anyone out
    const refused = error.status === 401 || error.status === 404;
    if (refused) {
      session.clear();
    }
    showSignin(refused ? describe(error) : `${describe(error)} Reload the page to try again.`, app);
  });
} else {
  showSignin();
}
