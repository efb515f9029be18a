// What anyone may see without signing in: one complaint by its tracking code, the feed, city numbers.
import { api, ApiError, query } from './api.js';
import { percentBars } from './charts.js';
import { clear, h } from './dom.js';
import { label, t, when } from './i18n.js';
import { names, problem, section, table } from './ui.js';

const CODE = /^ADU-[0-9A-Z]{4}-[0-9A-Z]{2}$/i;

export async function trackingScreen(root, code) {
  const form = h('form', { class: 'inline', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const typed = e.target.elements.code.value.trim().toUpperCase();
    if (typed) location.assign(`/lacak/${encodeURIComponent(typed)}`);
  } }, h('label', { for: 'code' }, t('track_code')), h('input', { id: 'code', name: 'code', value: code || '', placeholder: 'ADU-XXXX-XX', required: true }),
  h('button', { type: 'submit' }, t('track')));
  const body = h('div', { 'aria-live': 'polite' });
  clear(root, h('h1', {}, t('track')), form, body);
  if (!code) return;
  if (!CODE.test(code)) { clear(body, h('p', { class: 'msg error' }, t('not_public'))); return; }
  try {
    const [item, ref] = await Promise.all([api(`/v1/public/complaints/${encodeURIComponent(code)}`, { auth: false }), names()]);
    clear(body, complaintCard(item, ref));
  } catch (error) {
    clear(body, error instanceof ApiError && error.status === 404 ? h('p', { class: 'msg', role: 'status' }, t('not_public')) : problem(error));
  }
}

// Status in words, the facts, the public steps of the timeline (oldest first, each in words with the agency's
// answer on the latest resolution), the text and photos once verified.
function complaintCard(item, ref) {
  const steps = item.steps || [];
  const answered = steps.some((step) => step.answer);
  return h('article', { class: 'card public' },
    h('h2', {}, `${item.tracking_code}${item.title ? ' · ' + item.title : ''}`),
    h('p', { class: `status-words st-${item.status}` }, label(item.status_label, item.status)),
    h('dl', { class: 'facts' },
      h('dt', {}, t('category')), h('dd', {}, ref.category[item.category_id] || item.category_id || '—'),
      h('dt', {}, t('agency_id')), h('dd', {}, ref.agency[item.assigned_agency_id] || item.assigned_agency_id || '—'),
      h('dt', {}, t('area')), h('dd', {}, ref.area[item.location?.area_code] || item.location?.area_name || '—'),
      h('dt', {}, t('filed_at')), h('dd', {}, when(item.created_at)),
      item.expected_at ? [h('dt', {}, t('deadline')), h('dd', {}, when(item.expected_at))] : null,
      h('dt', {}, t('updated')), h('dd', {}, when(item.updated_at))),
    steps.length ? h('section', { class: 'steps', 'aria-labelledby': 'steps-title' },
      h('h3', { id: 'steps-title' }, t('steps')),
      h('ol', { class: 'timeline' }, steps.map((step) => h('li', { 'data-status': step.status },
        h('time', { datetime: step.at }, when(step.at)), ' ', h('strong', {}, label(step.label, step.status)),
        step.answer ? h('div', { class: 'answer' }, h('h4', {}, t('answer')), h('p', { class: 'wrap' }, step.answer)) : null)))) : null,
    item.text ? h('p', { class: 'wrap' }, item.text) : null,
    item.resolution && !answered ? h('div', { class: 'answer' }, h('h3', {}, t('answer')), h('p', { class: 'wrap' }, item.resolution)) : null,
    item.photos?.length ? h('div', { class: 'photos' }, item.photos.filter((p) => p.url).map((p) => h('img', { src: p.url, alt: t('photo'), loading: 'lazy' }))) : null,
    item.rating_score ? h('p', {}, `${t('rating')}: ${'★'.repeat(item.rating_score)}`) : null);
}

export async function feedScreen(root) {
  const ref = await names();
  const body = h('div', {}, t('loading'));
  clear(root, h('h1', {}, t('feed')), body);
  try {
    const page = await api('/v1/public/complaints' + query({ limit: 50 }), { auth: false });
    clear(body, page.items.length ? table([t('code'), t('title'), t('category'), t('status'), t('filed_at')], page.items.map((item) => h('tr', {},
      h('td', {}, h('a', { href: `/lacak/${item.tracking_code}` }, item.tracking_code)), h('td', { class: 'wrap' }, item.title || '—'),
      h('td', {}, ref.category[item.category_id] || item.category_id || '—'), h('td', {}, label(item.status_label, item.status)),
      h('td', {}, when(item.created_at))))) : h('p', { class: 'empty' }, t('none')));
  } catch (error) { clear(body, problem(error)); }
}

export async function publicStatsScreen(root) {
  const body = h('div', {}, t('loading'));
  clear(root, h('h1', {}, t('stats')), body);
  try {
    const stats = await api('/v1/public/stats', { auth: false });
    const hidden = `< ${stats.min_cell_count}`;
    const show = (v) => (v === null || v === undefined ? hidden : String(v));
    const totals = stats.totals;
    clear(body, h('p', { class: 'muted' }, `${stats.from} – ${stats.to} · ${hidden}: ${t('hidden')}`),
      h('div', { class: 'tiles' }, [['received', totals.received], ['resolved', totals.resolved], ['backlog', totals.backlog],
        ['compliance', totals.sla_compliance === null ? null : `${Math.round(totals.sla_compliance * 100)}%`]].map(([k, v]) =>
        h('div', { class: 'tile', 'data-tile': k }, h('strong', {}, show(v)), h('span', {}, t(k))))),
      section(t('sla_pct'), percentBars(stats.agencies.filter((a) => a.agency_id !== '-').map((a) => ({ name: a.name, value: a.sla_compliance })), t('sla_pct'))),
      section(t('league'), table([t('agency_id'), t('resolved'), t('backlog'), t('compliance')], stats.agencies.map((a) => h('tr', {},
        h('td', {}, a.agency_id === '-' ? t('unassigned') : a.name), h('td', {}, show(a.resolved)), h('td', {}, show(a.backlog)),
        h('td', {}, a.sla_compliance === null ? hidden : `${Math.round(a.sla_compliance * 100)}%`))))));
  } catch (error) { clear(body, problem(error)); }
}
