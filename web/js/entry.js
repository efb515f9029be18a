// Complaints that reach officers by radio, newspaper, phone or at the counter, typed in by the desk.
import { api } from './api.js';
import { clear, field, h, options } from './dom.js';
import { t } from './i18n.js';
import { names, problem, success } from './ui.js';

export async function entryScreen(root) {
  const ref = await names();
  const input = (name, attrs = {}) => h('input', { name, ...attrs });
  const c = {
    channel: h('select', { name: 'channel', required: true }, options(['desk', 'phone', 'radio', 'newspaper'].map((x) => [x, t(`channel_${x}`)]), 'desk')),
    title: input('title', { required: true, minlength: 3, maxlength: 200 }),
    text: h('textarea', { name: 'text', required: true, minlength: 10, maxlength: 5000, rows: 5 }),
    category_id: h('select', { name: 'category_id' }, options([['', t('choose')], ...ref.categories.map((x) => [x.id, ref.category[x.id]])])),
    area_code: h('select', { name: 'area_code' }, options([['', t('choose')], ...ref.areas.map((a) => [a.code, a.name])])),
    address: input('address', { maxlength: 500 }),
    lat: input('lat', { type: 'number', step: 'any', min: -90, max: 90 }),
    lon: input('lon', { type: 'number', step: 'any', min: -180, max: 180 }),
    source_reference: input('source_reference', { maxlength: 300 }),
    name: input('name', { maxlength: 200 }), phone: input('phone', { type: 'tel', maxlength: 30 }),
    email: input('email', { type: 'email', maxlength: 320 }),
    anonymous: h('input', { type: 'checkbox', name: 'anonymous' }),
    confidential: h('input', { type: 'checkbox', name: 'confidential' }),
  };
  const out = h('div', { 'aria-live': 'polite' });
  const value = (name) => c[name].value.trim() || null;
  const submit = async (e) => {
    e.preventDefault();
    const location = (value('address') || value('lat') || value('area_code')) ? {
      address: value('address'), area_code: value('area_code'),
      lat: value('lat') === null ? null : Number(value('lat')), lon: value('lon') === null ? null : Number(value('lon')),
    } : null;
    const body = {
      channel: c.channel.value, title: value('title'), text: value('text'), category_id: value('category_id'),
      source_reference: value('source_reference'), anonymous: c.anonymous.checked, confidential: c.confidential.checked,
      location, reporter: { name: value('name'), phone: value('phone'), email: value('email') },
    };
    try {
      const filed = await api('/v1/desk/complaints', { method: 'POST', body });
      e.target.reset();
      clear(out, success(`${t('filed')}: `), h('a', { href: `#/c/${filed.tracking_code}` }, filed.tracking_code));
    } catch (error) { clear(out, problem(error)); }
  };
  clear(root, h('h1', {}, t('entry')), h('form', { class: 'card entry', onsubmit: submit },
    field(t('channel'), c.channel), field(`${t('title')} *`, c.title), field(`${t('text')} *`, c.text),
    field(t('category'), c.category_id), field(t('area'), c.area_code), field(t('address'), c.address),
    h('div', { class: 'row' }, field(t('lat'), c.lat), field(t('lon'), c.lon)),
    field(t('source_reference'), c.source_reference),
    h('fieldset', {}, h('legend', {}, t('reporter')), field(t('name'), c.name), field(t('phone'), c.phone), field(t('email'), c.email),
      h('label', {}, c.anonymous, ' ', t('anonymous')), h('label', {}, c.confidential, ' ', t('confidential'))),
    h('button', { type: 'submit' }, t('send')), out));
}
