// Pieces every screen uses: messages, status and SLA badges, names of reference data.
import { ApiError, reference } from './api.js';
import { h } from './dom.js';
import { label, lang, t, timeLeft } from './i18n.js';

// Shows an error from the API body in words; a stale version offers a reload instead of a dead end.
export function problem(error, reload) {
  const text = error instanceof ApiError ? error.describe() : `${t('error')}: ${error.message || error}`;
  const box = h('div', { class: 'msg error', role: 'alert' }, text);
  if (error instanceof ApiError && error.isVersionConflict && reload) {
    box.append(' ', h('span', {}, t('conflict')), ' ',
      h('button', { type: 'button', class: 'link', onclick: reload }, t('reload')));
  }
  return box;
}

export function success(text) {
  return h('div', { class: 'msg ok', role: 'status' }, text);
}

export function statusBadge(item) {
  return h('span', { class: `badge st-${item.status}` }, label(item.status_label, item.status));
}

// Green while there is time, amber in the last eight hours, red once overdue.
export function slaCell(item, now = Date.now()) {
  if (!item.next_due_at) return h('span', { class: 'sla sla-none' }, '—');
  const seconds = Math.round((new Date(item.next_due_at).getTime() - now) / 1000);
  const state = item.overdue || seconds < 0 ? 'over' : seconds < 8 * 3600 ? 'soon' : 'ok';
  return h('span', { class: `sla sla-${state}`, title: item.next_due_at }, timeLeft(seconds));
}

// id -> display name maps for categories, agencies and areas.
export async function names() {
  const [categories, agencies, areas] = await Promise.all([
    reference('/v1/categories'), reference('/v1/agencies'), reference('/v1/areas'),
  ]);
  const list = (x) => (Array.isArray(x) ? x : x.items || []);
  return {
    categories: list(categories), agencies: list(agencies), areas: list(areas),
    category: Object.fromEntries(list(categories).map((c) => [c.id, lang === 'en' ? c.name_en : c.name_id])),
    agency: Object.fromEntries(list(agencies).map((a) => [a.id, a.short_name || a.name])),
    area: Object.fromEntries(list(areas).map((a) => [a.code, a.name])),
    areaParent: Object.fromEntries(list(areas).map((a) => [a.code, a.parent_code])),
  };
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

export function table(headers, rows, caption) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows)));
}
