// One complaint as an officer sees it: content, photos, place, reporter, triage, duplicates, actions, timeline.
import { api, uploadAttachment } from './api.js';
import { clear, field, h, options } from './dom.js';
import { eventName, label, roleName, statusName, t, when } from './i18n.js';
import { locationBlock } from './map.js';
import { names, problem, section, slaCell, statusBadge, success } from './ui.js';

// What each action must carry (the status machine's `requires`); the API re-checks and answers 422.
const FIELDS = {
  verify: [['note', false]], hold: [['note', true]], reject: [['reason', true]],
  mark_duplicate: [['duplicate_of', true]], request_info: [['note', true]], provide_info: [['note', true]],
  assign: [['agency_id', true], ['note', false]], accept: [['note', false]], start: [['note', false]],
  not_our_authority: [['reason', true]], resolve: [['response', true], ['photo', false]],
  reopen: [['reason', true]], close: [['note', false]],
  approve_answer: [['note', false]], return_answer: [['note', true]],  // the desk's review of an answer
};

const base = (code) => `/v1/complaints/${encodeURIComponent(code)}`;

function actionForm(item, action, ref, reload) {
  const out = h('div', { 'aria-live': 'polite' });
  const inputs = {};
  const controls = FIELDS[action].map(([name, required]) => {
    let control;
    if (name === 'agency_id') {
      const suggested = item.suggestion?.agency_id || '';
      control = h('select', { name, required }, options([['', t('choose')], ...ref.agencies.map((a) => [a.id, ref.agency[a.id]])], suggested));
    } else if (name === 'photo') {
      control = h('input', { name, type: 'file', accept: 'image/jpeg,image/png,image/webp' });
    } else if (name === 'response' || name === 'reason') {
      control = h('textarea', { name, required, rows: 3, maxlength: name === 'response' ? 10000 : 2000 });
    } else {
      control = h('input', { name, required, placeholder: name === 'duplicate_of' ? 'ADU-XXXX-XX' : '' });
    }
    inputs[name] = control;
    return field(t(name) + (required ? ' *' : ''), control);
  });
  const submit = async (e) => {
    e.preventDefault();
    const button = e.target.querySelector('button');
    button.disabled = true;
    try {
      const photo = inputs.photo?.files?.[0];
      if (photo) await uploadAttachment(item.tracking_code, photo);
      const body = { action, expected_version: item.version };
      for (const [name] of FIELDS[action]) if (name !== 'photo' && inputs[name].value) body[name] = inputs[name].value;
      await api(`${base(item.tracking_code)}/transitions`, { method: 'POST', body });
      reload(success(`${t(action)}: ${t('ok_done')}`));
    } catch (error) {
      clear(out, problem(error, () => reload()));
      button.disabled = false;
    }
  };
  return h('form', { class: `action action-${action}`, onsubmit: submit, 'aria-label': t(action) },
    controls, h('button', { type: 'submit' }, t(action)), out);
}

function suggestionBlock(item, ref, reload) {
  const s = item.suggestion;
  if (!s) return null;
  const accept = async () => {
    try {
      const result = await api('/v1/desk/bulk', { method: 'POST', body: {
        action: 'accept_suggestion', items: [{ tracking_code: item.tracking_code, expected_version: item.version }] } });
      const [one] = result.results;
      reload(one.ok ? success(`${t('accept_suggestion')}: ${t('ok_done')}`) : h('div', { class: 'msg error', role: 'alert' }, one.error?.message || ''));
    } catch (error) { reload(problem(error)); }
  };
  const canAccept = item.allowed_actions.includes('assign') || item.allowed_actions.includes('verify');
  return section(t('suggestion'), h('dl', { class: 'facts' },
    h('dt', {}, t('agency_id')), h('dd', {}, ref.agency[s.agency_id] || s.agency_id),
    h('dt', {}, t('category')), h('dd', {}, ref.category[s.category_id] || s.category_id || '—', ` (${s.category_source})`),
    h('dt', {}, t('area')), h('dd', {}, s.area_name || ref.area[s.area_code] || '—', s.area_method ? ` (${s.area_method})` : ''),
    h('dt', {}, t('priority')), h('dd', {}, s.priority, s.priority_reasons?.length ? ` — ${s.priority_reasons.join('; ')}` : ''),
    h('dt', {}, t('confidence')), h('dd', {}, `${Math.round((s.confidence || 0) * 100)}%`),
    h('dt', {}, t('reason')), h('dd', {}, s.reason),
    h('dt', {}, t('keywords')), h('dd', {}, (s.matched_keywords || []).join(', ') || '—')),
  canAccept ? h('button', { type: 'button', onclick: accept }, t('accept_suggestion')) : null);
}

// Each candidate next to this complaint, so the desk can compare before marking a duplicate.
async function duplicatesBlock(item, reload) {
  if (!item.duplicate_candidates?.length) return null;
  const columns = await Promise.all(item.duplicate_candidates.map(async (candidate) => {
    let other = null;
    try { other = await api(base(candidate.tracking_code)); } catch { other = null; }
    const mark = item.allowed_actions.includes('mark_duplicate') ? h('button', { type: 'button', onclick: async () => {
      try {
        await api(`${base(item.tracking_code)}/transitions`, { method: 'POST', body: {
          action: 'mark_duplicate', expected_version: item.version, duplicate_of: candidate.tracking_code } });
        reload(success(`${t('mark_duplicate')}: ${t('ok_done')}`));
      } catch (error) { reload(problem(error)); }
    } }, `${t('mark_duplicate')} → ${candidate.tracking_code}`) : null;
    return h('div', { class: 'compare-col' },
      h('h3', {}, h('a', { href: `#/c/${candidate.tracking_code}` }, candidate.tracking_code)),
      h('p', {}, candidate.title), h('p', { class: 'wrap' }, other?.text || ''),
      h('p', { class: 'muted' }, `${t('distance')}: ${Math.round(candidate.distance_m)} m · ${t('similarity')}: ${Math.round(candidate.similarity * 100)}% · ${when(candidate.created_at)}`),
      mark);
  }));
  return section(t('duplicates'), h('div', { class: 'compare' },
    h('div', { class: 'compare-col this' }, h('h3', {}, t('this_complaint')), h('p', {}, item.title), h('p', { class: 'wrap' }, item.text)),
    columns));
}

function photosBlock(item) {
  const images = item.attachments.filter((a) => a.content_type.startsWith('image/') && a.download_url);
  const others = item.attachments.filter((a) => !images.includes(a));
  return section(t('photos'), images.length || others.length ? h('div', { class: 'photos' },
    images.map((a) => h('figure', {}, h('img', { src: a.download_url, alt: a.filename, loading: 'lazy' }), h('figcaption', {}, a.filename))),
    others.map((a) => h('a', { href: a.download_url || '#' }, a.filename))) : h('p', { class: 'muted' }, t('no_photos')));
}

function reporterBlock(item) {
  if (item.anonymous || !item.reporter) return section(t('reporter'), h('p', {}, t('anonymous')));
  return section(t('reporter'), h('p', {}, item.reporter.name || '—', item.reporter.contact ? ` · ${item.reporter.contact}` : ''));
}

function timelineBlock(entries) {
  return section(t('timeline'), h('ol', { class: 'timeline' }, entries.map((e) => h('li', {},
    h('time', { datetime: e.at }, when(e.at)), ' ', h('strong', {}, e.action ? t(e.action) : eventName(e.type)),
    e.to_status ? ` → ${statusName(e.to_status)}` : '', ` · ${roleName(e.actor_role)}${e.actor_id ? ' ' + e.actor_id : ''}`,
    e.internal ? h('span', { class: 'badge' }, t('internal_badge')) : null,
    e.note ? h('div', { class: 'wrap' }, e.note) : null,
    e.data?.text ? h('div', { class: 'wrap' }, e.data.text) : null))));
}

function commentForm(item, officer, reload) {
  const text = h('textarea', { name: 'comment', rows: 2, required: true, maxlength: 5000 });
  const internal = h('input', { type: 'checkbox', name: 'internal' });
  const out = h('div', { 'aria-live': 'polite' });
  return h('form', { class: 'comment', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api(`${base(item.tracking_code)}/comments`, { method: 'POST', body: { text: text.value, internal: officer && internal.checked } });
      reload(success(`${t('comments')}: ${t('ok_done')}`));
    } catch (error) { clear(out, problem(error)); }
  } }, field(t('comment'), text), officer ? h('label', {}, internal, ' ', t('internal')) : null,
  h('button', { type: 'submit' }, t('send')), out);
}

export async function complaintScreen(root, code, currentRole, notice) {
  const reload = (message) => complaintScreen(root, code, currentRole, message);
  clear(root, h('p', {}, t('loading')));
  let item; let timeline; let ref;
  try {
    [item, timeline, ref] = await Promise.all([api(base(code)), api(`${base(code)}/timeline?limit=100`), names()]);
  } catch (error) { clear(root, problem(error, () => reload())); return; }
  const officer = currentRole !== 'citizen';
  const actions = item.allowed_actions.filter((a) => FIELDS[a]);
  const duplicates = await duplicatesBlock(item, reload);
  const back = currentRole === 'agency_officer' ? '#/agency' : '#/desk';
  clear(root,
    h('p', {}, h('a', { href: back }, `← ${t('back')}`)),
    notice || null,
    h('h1', {}, `${item.tracking_code} · ${item.title || ''}`),
    h('p', { class: 'meta' }, statusBadge(item), ' ', h('span', { class: `prio prio-${item.priority}` }, item.priority), ' ',
      slaCell(item), item.sla ? ` ${label(item.sla.stage_label, item.sla.stage)} · ${when(item.sla.due_at)}` : '',
      ` · ${item.channel} · ${ref.category[item.category_id] || item.category_id || '—'}`,
      item.assigned_agency_id ? ` · ${ref.agency[item.assigned_agency_id] || item.assigned_agency_id}` : '',
      ` · v${item.version}`),
    h('div', { class: 'grid' },
      h('div', {},
        section(t('text'), h('p', { class: 'wrap' }, item.text || '—'),
          item.resolution ? h('p', { class: 'answer' }, h('strong', {}, `${t('answer')}: `), item.resolution) : null),
        photosBlock(item), locationBlock(item.location, ref), reporterBlock(item)),
      h('div', {},
        section(t('actions'), actions.length ? actions.map((a) => actionForm(item, a, ref, reload)) : h('p', { class: 'muted' }, t('no_actions'))),
        officer ? suggestionBlock(item, ref, reload) : null)),
    duplicates,
    section(t('comments'), commentForm(item, officer, reload)),
    timelineBlock(timeline.items));
}
