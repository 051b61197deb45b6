// One table per SPEC §6 dimension; picking a row filters the whole dashboard by it (as Plausible does).
import { query } from './api.js';
import { csvButton, load, table, tableRows } from './panel.js';
import { DIMENSIONS } from './view.js';

const LIMIT = 10;

function id(dimension) {
  return `breakdown-${dimension.replace(/[^a-z]+/g, '-')}`;
}

export function setup() {
  const grid = document.getElementById('breakdowns');
  for (const [dimension, label] of DIMENSIONS) {
    const section = document.createElement('section');
    section.className = 'panel';
    section.id = id(dimension);
    section.dataset.panel = '';
    section.dataset.dimension = dimension;
    section.setAttribute('aria-label', label);
    const head = document.createElement('div');
    head.className = 'panel-head';
    const h2 = document.createElement('h2');
    h2.textContent = label;
    const csv = document.createElement('button');
    csv.type = 'button';
    csv.className = 'csv';
    csv.textContent = 'CSV';
    head.append(h2, csv);
    const status = document.createElement('p');
    status.className = 'status';
    status.setAttribute('role', 'status');
    const body = document.createElement('div');
    body.className = 'table';
    section.append(head, status, body);
    grid.append(section);
    csvButton(section, `by-${dimension.replace(':', '-')}`, () => tableRows(body));
  }
}

export function render(ctx, hooks, onPick) {
  return Promise.all(DIMENSIONS.map(([dimension, label]) => {
    const section = document.getElementById(id(dimension));
    return load(section, async (current) => {
      const answer = await query({ metrics: ['active_users', 'events'], date_range: [ctx.from, ctx.to], dimensions: [dimension],
        filters: ctx.filters, order_by: [['events', 'desc']], limit: LIMIT });
      if (!current()) {
        return false;
      }
      const rows = answer.results.map((r) => [r.dimensions[0], Number(r.metrics[0]), Number(r.metrics[1])]);
      const total = answer.meta.total_rows;
      table(section.querySelector('.table'), [label, 'Users', 'Events'], rows, {
        onPick: (row) => onPick(dimension, String(row[0])),
        caption: total > rows.length ? `Top ${rows.length} of ${total}` : undefined,
      });
      return rows.length === 0;
    }, hooks);
  }));
}
