// The supervisor's view: backlog and overdue by agency, SLA league, trends, charts, block list, exports.
import { api, query } from './api.js';
import { groupedBars, percentBars } from './charts.js';
import { clear, field, h, options } from './dom.js';
import { t, when } from './i18n.js';
import { names, problem, section, success, table } from './ui.js';

export function localDay(offsetDays = 0) {
  const date = new Date(Date.now() + offsetDays * 86400000);
  return date.toLocaleDateString('en-CA', { timeZone: 'Asia/Jakarta' });
}

const pct = (value) => (value === null || value === undefined ? '—' : `${Math.round(value * 100)}%`);

async function backlogBlock(ref, period) {
  const report = await api('/v1/stats' + query({ ...period, group_by: 'agency' }));
  const rows = report.rows.filter((r) => r.backlog.total || r.received || r.assigned);
  // Overdue now, per agency with work open (the agency SLA report lists what is overdue).
  const overdue = await Promise.all(rows.map((r) => !ref.agency[r.key] ? [] : api(`/v1/agencies/${encodeURIComponent(r.key)}/sla`).then((x) => x.overdue).catch(() => [])));
  const totals = report.totals || {};
  return [
    h('div', { class: 'tiles' },
      [['received', totals.received], ['resolved', totals.resolved], ['backlog', totals.backlog?.total], ['compliance', pct(totals.sla_compliance)]]
        .map(([k, v]) => h('div', { class: 'tile', 'data-tile': k }, h('strong', {}, String(v ?? 0)), h('span', {}, t(k))))),
    section(t('backlog'), table([t('agency_id'), t('received'), t('resolved'), t('backlog'), t('overdue'), t('compliance')],
      rows.map((r, i) => h('tr', {}, h('td', {}, ref.agency[r.key] || (r.key === '-' ? t('unassigned') : r.key)), h('td', {}, r.received), h('td', {}, r.resolved),
        h('td', {}, r.backlog.total), h('td', { class: overdue[i].length ? 'sla-over' : '' }, overdue[i].length), h('td', {}, pct(r.sla_compliance)))))),
    section(t('escalations'), overdue.some((o) => o.length) ? h('ul', {}, rows.flatMap((r, i) => overdue[i].map((o) =>
      h('li', {}, h('a', { href: `#/c/${o.tracking_code}` }, o.tracking_code), ` · ${ref.agency[r.key] || r.key} · ${(o.stages || []).join(', ')} · ${when(o.overdue_since)}`))))
      : h('p', { class: 'muted' }, t('none'))),
  ];
}

async function chartsBlock(period) {
  const days = Array.from({ length: 7 }, (_, i) => localDay(i - 6));
  const perDay = await Promise.all(days.map((d) => api('/v1/stats' + query({ from: d, to: d, group_by: 'channel' }))));
  const league = await api('/v1/stats/league' + query(period));
  return [
    section(t('per_day'), groupedBars(days.map((d) => d.slice(5)), [
      { name: t('received'), cls: 'bar-a', values: perDay.map((r) => r.totals?.received || 0) },
      { name: t('resolved'), cls: 'bar-b', values: perDay.map((r) => r.totals?.resolved || 0) }], t('per_day'))),
    section(t('sla_pct'), percentBars(league.agencies.filter((a) => a.agency_id !== '-').map((a) => ({ name: a.name, value: a.sla_compliance })), t('sla_pct'))),
    section(t('league'), table([t('rank'), t('agency_id'), t('compliance'), t('backlog'), t('resolved'), t('median_hours')],
      league.agencies.map((a) => h('tr', {}, h('td', {}, a.rank), h('td', {}, a.agency_id === '-' ? t('unassigned') : a.name), h('td', {}, pct(a.sla_compliance)),
        h('td', {}, a.backlog), h('td', {}, a.resolved), h('td', {}, a.resolution_median_hours ?? '—'))))),
  ];
}

async function trendingBlock(ref) {
  const trending = await api('/v1/stats/trending');
  return section(`${t('trending')} (${trending.week_start} – ${trending.week_end})`, trending.category?.length
    ? table([t('category'), t('this_week'), t('last_week')], trending.category.map((r) =>
      h('tr', {}, h('td', {}, ref.category[r.key] || r.key), h('td', {}, r.this_week), h('td', {}, r.last_week))))
    : h('p', { class: 'muted' }, t('none')));
}

function blockListBlock() {
  const list = h('div', {});
  const out = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    try {
      const page = await api('/v1/blocked-senders?limit=50');
      clear(list, page.items.length ? table([t('sender_ref'), t('reason'), t('time'), ''], page.items.map((b) => h('tr', {},
        h('td', {}, b.sender_ref), h('td', {}, b.reason), h('td', {}, when(b.blocked_at)),
        h('td', {}, b.active ? h('button', { type: 'button', onclick: async () => {
          try { await api('/v1/blocked-senders/unblock', { method: 'POST', body: { sender_ref: b.sender_ref } }); load(); } catch (error) { clear(out, problem(error)); }
        } }, t('unblock')) : '—')))) : h('p', { class: 'muted' }, t('none')));
    } catch (error) { clear(list, problem(error)); }
  };
  const sender = h('input', { name: 'sender_ref', required: true });
  const reason = h('input', { name: 'block_reason', required: true });
  load();
  return section(t('blocked'), list, h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api('/v1/blocked-senders', { method: 'POST', body: { sender_ref: sender.value, reason: reason.value } });
      e.target.reset(); clear(out, success(t('ok_done'))); load();
    } catch (error) { clear(out, problem(error)); }
  } }, field(t('sender_ref'), sender), field(t('reason'), reason), h('button', { type: 'submit' }, t('block')), out));
}

function exportsBlock() {
  const kind = h('select', { name: 'kind' }, options([['complaints', t('complaints')], ['statistics', t('statistics')]], 'complaints'));
  const from = h('input', { type: 'date', name: 'from', value: localDay(-30), required: true });
  const to = h('input', { type: 'date', name: 'to', value: localDay(0), required: true });
  const out = h('div', { 'aria-live': 'polite', class: 'export-status' });
  const poll = async (id) => {
    const job = await api(`/v1/exports/${encodeURIComponent(id)}`);
    clear(out, h('p', {}, `${t('progress')}: ${job.status}${job.rows !== null && job.rows !== undefined ? ` · ${job.rows} ${t('rows')}` : ''}`),
      job.download_url ? h('a', { href: job.download_url, class: 'button', download: '' }, t('download')) : null,
      job.error ? h('div', { class: 'msg error' }, job.error) : null);
    if (!job.download_url && !job.error && !['failed', 'done', 'ready'].includes(job.status)) setTimeout(() => poll(id).catch((e) => clear(out, problem(e))), 1500);
  };
  return section(t('exports'), h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const job = await api('/v1/exports', { method: 'POST', body: { kind: kind.value, from: from.value, to: to.value } });
      await poll(job.export_id);
    } catch (error) { clear(out, problem(error)); }
  } }, field(t('kind'), kind), field(t('from'), from), field(t('to'), to), h('button', { type: 'submit' }, t('start_export'))), out);
}

export async function supervisorScreen(root) {
  const ref = await names();
  const period = { from: localDay(-30), to: localDay(0) };
  const parts = h('div', {}, h('p', {}, t('loading')));
  clear(root, h('h1', {}, t('supervisor')), parts);
  const guarded = (promise) => promise.catch((error) => problem(error));
  const [backlog, charts, trending] = await Promise.all([
    guarded(backlogBlock(ref, period)), guarded(chartsBlock(period)), guarded(trendingBlock(ref))]);
  clear(parts, backlog, charts, trending, blockListBlock(), exportsBlock());
}
