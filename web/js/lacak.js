// /lacak/<code>: the page every notification links to. No sign-in; only published facts.
import { api, configure } from './api.js';
import { clear, h } from './dom.js';
import { lang, setLang, t } from './i18n.js';
import { trackingScreen } from './public.js';

function draw() {
  const code = decodeURIComponent(location.pathname.split('/')[2] || '');
  clear(document.getElementById('top'), h('a', { class: 'brand', href: '/#/feed' }, t('app')),
    h('nav', { 'aria-label': 'menu' }, h('a', { href: '/#/feed' }, t('feed')), h('a', { href: '/#/stats' }, t('stats'))),
    h('div', { class: 'who' }, h('button', { type: 'button', class: 'link', onclick: () => { setLang(lang === 'id' ? 'en' : 'id'); draw(); } }, t('language'))));
  return trackingScreen(document.getElementById('main'), code);
}

(async () => {
  try { configure(await api('/config.json', { auth: false })); } catch { /* same-origin API */ }
  await draw();
})();
