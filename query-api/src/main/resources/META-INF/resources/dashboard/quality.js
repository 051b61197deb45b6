// Data quality of the range's last day: live figures and, once the day has closed, the close's snapshot.
import { get } from './api.js';
import { csvButton, formatPercent, load, table, tableRows } from './panel.js';

const panel = () => document.getElementById('quality');

export function setup() {
  csvButton(panel(), 'quality', () => tableRows(panel().querySelector('.table')));
}

function reasons(value) {
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  return Object.entries(parsed ?? {}).sort((a, b) => b[1] - a[1]);
}

export function render(ctx, hooks) {
  return load(panel(), async (current) => {
    const q = await get('/v1/quality', { date: ctx.to });
    if (!current()) {
      return false;
    }
    const closed = q.closed;
    table(panel().querySelector('.table'), ['Measure', q.date], [
      ['Accepted events', q.accepted],
      ['Rejected events', q.rejected],
      ['Validation rate', q.validation_rate == null ? null : formatPercent(q.validation_rate)],
      ['Duplicates dropped', q.duplicates],
      ['Late events', q.late],
      ['Clock clamped', q.clock_clamped],
      ['Freshness p50 (s)', q.freshness_seconds.p50],
      ['Freshness p99 (s)', q.freshness_seconds.p99],
      ['Completeness', q.completeness == null ? null : formatPercent(q.completeness)],
      ['Active users', q.active_users],
      ['Day closed', closed ? closed.closed_at : 'not yet'],
      ['Closed: completeness', closed ? formatPercent(closed.completeness) : '–'],
      ['Closed: facts consistent', closed ? (closed.facts_consistent ? 'yes' : 'NO') : '–'],
      ['Closed: repaired', closed ? (closed.repaired ? 'yes' : 'no') : '–'],
    ]);
    table(document.getElementById('quality-reasons'), ['Field at fault', 'Rejected'], reasons(q.rejected_by_reason));
    return Number(q.accepted) === 0 && Number(q.rejected) === 0 ? `No events received for ${q.date}.` : false;
  }, hooks);
}
