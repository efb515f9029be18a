// The console: loads its configuration, signs in, and shows the screens the officer's role allows.
import { api, configure, reference, settings } from './api.js';
import { complaintScreen } from './complaint.js';
import { clear, field, h, options } from './dom.js';
import { entryScreen } from './entry.js';
import { lang, setLang, t } from './i18n.js';
import { feedScreen, publicStatsScreen, trackingScreen } from './public.js';
import { queueScreen } from './queue.js';
import { agencyId, claims, cognitoSignIn, finishCognitoSignIn, localSignIn, role, signOut } from './session.js';
import { supervisorScreen } from './supervisor.js';
import { problem } from './ui.js';

const HOME = { verifier: '#/desk', supervisor: '#/supervisor', agency_officer: '#/agency', citizen: '#/feed' };
const NAV = {
  verifier: ['desk', 'entry', 'feed', 'stats'],
  supervisor: ['supervisor', 'desk', 'entry', 'feed', 'stats'],
  agency_officer: ['agency', 'feed', 'stats'],
  citizen: ['feed', 'stats'],
  null: ['feed', 'stats'],
};
const PUBLIC = new Set(['signin', 'feed', 'stats']);
const main = document.getElementById('main');

function header() {
  const current = role();
  const who = claims();
  const links = NAV[current].map((key) => h('a', { href: `#/${key}`, 'aria-current': location.hash.startsWith(`#/${key}`) ? 'page' : null }, t(key)));
  clear(document.getElementById('top'),
    h('a', { class: 'brand', href: current ? HOME[current] : '#/signin' }, t('app')),
    h('nav', { 'aria-label': 'menu' }, links),
    h('div', { class: 'who' },
      who ? h('span', {}, `${who.name || who.email || who.sub} · ${t(current)}${agencyId() ? ' · ' + agencyId() : ''}`) : null,
      h('button', { type: 'button', class: 'link', onclick: () => { setLang(lang === 'id' ? 'en' : 'id'); route(); } }, t('language')),
      who ? h('button', { type: 'button', class: 'link', onclick: signOut }, t('signout'))
        : h('a', { href: '#/signin' }, t('signin'))));
}

async function signInScreen(root) {
  if (settings().mode === 'cognito') {
    clear(root, h('h1', {}, t('signin')), h('button', { type: 'button', onclick: cognitoSignIn }, t('cognito_signin')));
    return;
  }
  const agencies = await reference('/v1/agencies');
  const list = Array.isArray(agencies) ? agencies : agencies.items;
  const roleSelect = h('select', { name: 'role' }, options(['verifier', 'agency_officer', 'supervisor'].map((r) => [r, t(r)]), 'verifier'));
  const agencySelect = h('select', { name: 'agency_id' }, options(list.map((a) => [a.id, `${a.short_name || a.name}`]), 'dpu'));
  const name = h('input', { name: 'name', value: 'Petugas', maxlength: 100 });
  const agencyField = field(t('agency_id'), agencySelect);
  const sync = () => { agencyField.hidden = roleSelect.value !== 'agency_officer'; };
  roleSelect.addEventListener('change', sync);
  sync();
  const out = h('div', { 'aria-live': 'polite' });
  clear(root, h('h1', {}, t('local_signin')), h('p', { class: 'muted' }, t('local_hint')),
    h('form', { class: 'card signin', onsubmit: async (e) => {
      e.preventDefault();
      try {
        await localSignIn(roleSelect.value, roleSelect.value === 'agency_officer' ? agencySelect.value : null, name.value);
        location.hash = HOME[role()];
      } catch (error) { clear(out, problem(error)); }
    } }, field(t('role'), roleSelect), agencyField, field(t('name'), name), h('button', { type: 'submit' }, t('signin')), out));
}

async function route() {
  const [, screen = '', arg] = location.hash.split('/');
  const current = role();
  header();
  if (!current && !PUBLIC.has(screen)) { location.hash = '#/signin'; return; }
  if (!screen) { location.hash = current ? HOME[current] : '#/signin'; return; }
  main.focus({ preventScroll: true });
  // Each route draws into its own box: a slower screen still loading cannot overwrite a newer one.
  const view = h('div', {});
  main.replaceChildren(view);
  try {
    if (screen === 'signin') await signInScreen(view);
    else if (screen === 'desk') await queueScreen(view, 'desk');
    else if (screen === 'agency') await queueScreen(view, 'agency', agencyId());
    else if (screen === 'entry') await entryScreen(view);
    else if (screen === 'supervisor') await supervisorScreen(view);
    else if (screen === 'c' && arg) await complaintScreen(view, decodeURIComponent(arg), current);
    else if (screen === 'feed') await feedScreen(view);
    else if (screen === 'stats') await publicStatsScreen(view);
    else if (screen === 'lacak') await trackingScreen(view, arg && decodeURIComponent(arg));
    else location.hash = current ? HOME[current] : '#/signin';
  } catch (error) { clear(view, problem(error, route)); }
}

async function start() {
  try { configure(await api('/config.json', { auth: false })); } catch { /* defaults: same-origin API, local mode */ }
  await finishCognitoSignIn();
  window.addEventListener('hashchange', route);
  await route();
}

start();
