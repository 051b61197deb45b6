// What every panel shares: its loading / empty / error state in words, tables, CSV, number formats.
import { describe } from './api.js';

const generations = new WeakMap();

/**
 * Runs a panel's work and shows its state: `work` resolves to true when there is nothing to show. A newer call
 * on the same panel wins: an older answer arriving late is dropped.
 */
export async function load(panel, work, { onUnauthorized, quiet = false } = {}) {
  const generation = (generations.get(panel) ?? 0) + 1;
  generations.set(panel, generation);
  const current = () => generations.get(panel) === generation;
  // a periodic refresh (quiet) keeps what is shown until the answer is there
  if (!quiet) {
    setState(panel, 'loading');
    panel.setAttribute('aria-busy', 'true');
    status(panel, 'Loading…');
  }
  try {
    const empty = await work(current);
    if (current()) {
      setState(panel, empty ? 'empty' : 'ready');
      status(panel, empty === true ? 'No data for this selection.' : (typeof empty === 'string' ? empty : ''));
    }
  } catch (error) {
    if (current()) {
      setState(panel, 'error');
      status(panel, describe(error), true);
      if (error.status === 401 && onUnauthorized) {
        onUnauthorized(error);
      }
    }
  } finally {
    if (current()) {
      panel.removeAttribute('aria-busy');
    }
  }
}

/** An error hides what the panel showed before (the stylesheet does) and its CSV buttons: that data is not this view's. */
function setState(panel, state) {
  panel.dataset.state = state;
  for (const button of panel.querySelectorAll('button.csv')) {
    button.disabled = state === 'error';
  }
}

function status(panel, text, error = false) {
  const p = panel.querySelector('.status');
  p.textContent = text;
  p.hidden = !text;
  p.classList.toggle('error', error);
}

export const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const decimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

export function formatPercent(rate) {
  return rate == null ? '–' : percent.format(rate);
}

export function format(value) {
  if (value == null) {
    return '(none)';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? integer.format(value) : decimal.format(value);
  }
  return String(value);
}

/** A row's label: ids and ages are names, not quantities. */
function label(value) {
  return value == null ? '(none)' : String(value);
}

/**
 * Replaces the container's content with a table. Cells keep their raw value in data-value (CSV uses it);
 * `onPick(row)` makes the first cell a button, so rows can be chosen with mouse or keyboard.
 */
export function table(container, columns, rows, { onPick, caption, cell } = {}) {
  const t = document.createElement('table');
  if (caption) {
    t.createCaption().textContent = caption;
  }
  const head = t.createTHead().insertRow();
  columns.forEach((c, i) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c;
    th.className = i === 0 ? '' : 'num';
    head.append(th);
  });
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((value, i) => {
      const td = tr.insertCell();
      td.dataset.value = value == null ? '' : String(value);
      td.className = i > 0 && typeof value === 'number' ? 'num' : '';
      if (i === 0 && onPick && value != null) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'pick';
        b.textContent = label(value);
        b.title = `Filter the dashboard by ${value}`;
        b.addEventListener('click', () => onPick(row));
        td.append(b);
      } else {
        td.textContent = i === 0 ? label(value) : format(value);
        if (i === 0) {
          td.title = td.textContent;
        }
      }
      cell?.(td, value, i, row);
    });
  }
  container.replaceChildren(t);
  return t;
}

/** A table's header and raw cell values, as rows. */
export function tableRows(container) {
  const t = container.querySelector('table');
  if (!t) {
    return [];
  }
  const head = [...t.tHead.rows[0].cells].map((c) => c.textContent);
  const body = [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.dataset.value ?? c.textContent));
  return [head, ...body];
}

function csvField(value) {
  let text = String(value ?? '');
  // a spreadsheet would run a text cell starting with these as a formula
  if (/^[=+\-@\t\r]/.test(text) && Number.isNaN(Number(text))) {
    text = `'${text}`;
  }
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows) {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function download(name, rows) {
  const url = URL.createObjectURL(new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  // names hold hosts and user ids: whatever a file system or the browser would refuse or rewrite becomes _
  a.download = `${name.replace(/[^\w.-]+/g, '_').slice(0, 120)}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Wires a panel's CSV button to the rows `rows()` gives at the time of the click. */
export function csvButton(panel, name, rows) {
  panel.querySelector('.csv').addEventListener('click', () => download(typeof name === 'function' ? name() : name, rows()));
}
