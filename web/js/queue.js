// The desk's and the agencies' queues: filters, SLA colours, and (for the desk) bulk actions.
import { api, query } from './api.js';
import { clear, field, h, options } from './dom.js';
import { statusName, t, when } from './i18n.js';
import { names, problem, slaCell, statusBadge, success, table } from './ui.js';

const DESK_STATUSES = ['received', 'verified', 'on_hold', 'need_info', 'returned', 'reopened', 'assigned'];
const AGENCY_STATUSES = ['assigned', 'accepted', 'in_progress', 'need_info', 'resolved'];
const CHANNELS = ['app', 'web', 'whatsapp', 'telegram', 'sms', 'email', 'instagram', 'messenger', 'x', 'lapor', 'desk',
  'phone', 'radio', 'newspaper', 'open311', 'generic'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const BULK = { accept_suggestion: [], verify: ['note'], assign: ['agency_id'], hold: ['note'], reject: ['reason'],
  mark_duplicate: ['duplicate_of'] };

function kecamatan(ref, code) {
  // An area filter on a kecamatan also matches its kelurahan.
  return code && (ref.areaParent[code] || code);
}

// Client-side filters the API's queue does not take (it filters by status and orders).
export function matches(item, filters, ref) {
  const area = item.location?.area_code || item.suggestion?.area_code;
  if (filters.category && (item.category_id || item.suggestion?.category_id) !== filters.category) return false;
  if (filters.area && area !== filters.area && kecamatan(ref, area) !== filters.area) return false;
  if (filters.channel && item.channel !== filters.channel) return false;
  if (filters.priority && item.priority !== filters.priority) return false;
  if (filters.overdue && !item.overdue) return false;
  return true;
}

// One row per complaint; exported so the bench can time 100 of them.
export function queueRows(items, ref, selectable, selected) {
  const now = Date.now();
  return items.map((item) => {
    const area = item.location?.area_code || item.suggestion?.area_code;
    const category = item.category_id || item.suggestion?.category_id;
    const cell = (name, ...content) => h('td', { 'data-label': name }, ...content);
    return h('tr', { class: item.overdue ? 'row-over' : '' },
      selectable ? h('td', { class: 'pick' }, h('input', {
        type: 'checkbox', 'aria-label': `${t('selected')} ${item.tracking_code}`, checked: selected.has(item.tracking_code),
        onchange: (e) => (e.target.checked ? selected.set(item.tracking_code, item) : selected.delete(item.tracking_code)),
      })) : null,
      cell(t('code'), h('a', { href: `#/c/${item.tracking_code}` }, item.tracking_code)),
      cell(t('title'), item.title || '—'),
      cell(t('category'), ref.category[category] || category || '—'),
      cell(t('area'), ref.area[area] || area || '—'),
      cell(t('channel'), item.channel),
      cell(t('priority'), h('span', { class: `prio prio-${item.priority}` }, item.priority)),
      cell(t('status'), statusBadge(item)),
      cell(t('sla'), slaCell(item, now), ' ', h('span', { class: 'muted' }, when(item.next_due_at))));
  });
}

function filterBar(ref, filters, statuses, onChange) {
  const select = (key, pairs) => {
    const control = h('select', { name: key, onchange: (e) => { filters[key] = e.target.value; onChange(key); } },
      options(pairs, filters[key] || ''));
    return field(t(key), control);
  };
  const kecamatanList = ref.areas.filter((a) => a.level === 'kecamatan' || !a.parent_code);
  return h('form', { class: 'filters', onsubmit: (e) => e.preventDefault(), 'aria-label': t('filter') },
    select('status', statuses.map((s) => [s, statusName(s)])),
    select('order', [['oldest', t('oldest')], ['urgent', t('urgent')], ['due', t('due')]]),
    select('category', [['', t('all')], ...ref.categories.map((c) => [c.id, ref.category[c.id]])]),
    select('area', [['', t('all')], ...kecamatanList.map((a) => [a.code, a.name])]),
    select('channel', [['', t('all')], ...CHANNELS.map((c) => [c, c])]),
    select('priority', [['', t('all')], ...PRIORITIES.map((p) => [p, p])]),
    h('div', { class: 'field check' }, h('label', {}, h('input', {
      type: 'checkbox', name: 'overdue', checked: !!filters.overdue,
      onchange: (e) => { filters.overdue = e.target.checked; onChange('overdue'); },
    }), ' ', t('overdue'))));
}

function bulkBar(ref, selected, after) {
  const action = h('select', { name: 'bulk_action' }, options(Object.keys(BULK).map((a) => [a, t(a)]), 'accept_suggestion'));
  const inputs = {
    note: h('input', { name: 'note' }), reason: h('input', { name: 'reason' }),
    duplicate_of: h('input', { name: 'duplicate_of', placeholder: 'ADU-XXXX-XX' }),
    agency_id: h('select', { name: 'agency_id' }, options([['', t('choose')], ...ref.agencies.map((a) => [a.id, ref.agency[a.id]])])),
  };
  const wrappers = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, field(t(k), v)]));
  const out = h('div', { 'aria-live': 'polite' });
  const show = () => { for (const [k, w] of Object.entries(wrappers)) w.hidden = !BULK[action.value].includes(k); };
  action.addEventListener('change', show);
  show();
  const submit = async (e) => {
    e.preventDefault();
    if (!selected.size) return;
    const body = { action: action.value, items: [...selected.values()].map((i) => ({ tracking_code: i.tracking_code, expected_version: i.version })) };
    for (const k of BULK[action.value]) if (inputs[k].value) body[k] = inputs[k].value;
    try {
      const result = await api('/v1/desk/bulk', { method: 'POST', body });
      const failed = result.results.filter((r) => !r.ok);
      clear(out, success(`${t('ok_done')}: ${result.results.length - failed.length}/${result.results.length}`),
        failed.map((r) => h('div', { class: 'msg error' }, `${r.tracking_code}: ${r.error?.message || r.error?.code}`)));
      selected.clear();
      after();
    } catch (error) { clear(out, problem(error, after)); }
  };
  return h('form', { class: 'bulk', onsubmit: submit, 'aria-label': t('bulk') },
    h('strong', {}, t('bulk')), field(t('actions'), action), Object.values(wrappers),
    h('button', { type: 'submit' }, t('apply')), out);
}

// kind: 'desk' (verifier/supervisor) or 'agency' (an agency officer's own agency).
export async function queueScreen(root, kind, agency) {
  const ref = await names();
  const statuses = kind === 'desk' ? DESK_STATUSES : AGENCY_STATUSES;
  const saved = JSON.parse(sessionStorage.getItem(`aduan.filters.${kind}`) || 'null');
  const filters = saved || { status: statuses[0], order: kind === 'desk' ? 'oldest' : 'due' };
  const selected = new Map();
  const body = h('div', {});
  let items = [];
  const draw = () => {
    const shown = items.filter((item) => matches(item, filters, ref));
    performance.mark('queue-render-start');
    clear(body, shown.length ? h('div', { class: 'queue' }, table(
      [kind === 'desk' ? t('selected') : null, t('code'), t('title'), t('category'), t('area'), t('channel'),
        t('priority'), t('status'), t('sla')].filter(Boolean),
      queueRows(shown, ref, kind === 'desk', selected), `${shown.length} / ${items.length}`))
      : h('p', { class: 'empty' }, t('none')));
    performance.measure('queue-render', 'queue-render-start');
    // Until the rows are on screen (style, layout, paint): what the bench reports.
    requestAnimationFrame(() => setTimeout(() => performance.measure('queue-frame', 'queue-render-start')));
  };
  const load = async () => {
    clear(body, h('p', {}, t('loading')));
    const order = filters.order === 'due' && filters.status === 'received' ? 'oldest' : filters.order;
    const path = kind === 'desk' ? '/v1/desk/complaints' : `/v1/agencies/${encodeURIComponent(agency)}/complaints`;
    try {
      const page = await api(path + query({ status: filters.status, order, limit: 100 }));
      items = page.items;
      draw();
    } catch (error) { clear(body, problem(error, load)); }
  };
  const onChange = (key) => {
    sessionStorage.setItem(`aduan.filters.${kind}`, JSON.stringify(filters));
    if (key === 'status' || key === 'order') load(); else draw();
  };
  clear(root,
    h('h1', {}, kind === 'desk' ? t('desk') : `${t('agency')}: ${ref.agency[agency] || agency}`),
    filterBar(ref, filters, statuses, onChange),
    h('button', { type: 'button', onclick: load }, t('refresh')),
    kind === 'desk' ? bulkBar(ref, selected, load) : null,
    body);
  await load();
}
