// Where a complaint is: area name, address and coordinates always; a small OpenStreetMap tile map
// only when tiles load (offline, the map removes itself and says so).
import { h } from './dom.js';
import { t } from './i18n.js';
import { section } from './ui.js';

const ZOOM = 16;
const TILE = 256;

function tileOf(lat, lon) {
  const n = 2 ** ZOOM;
  const x = ((lon + 180) / 360) * n;
  const rad = (lat * Math.PI) / 180;
  const y = ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n;
  return { x, y };
}

function tileMap(lat, lon, onOffline) {
  const { x, y } = tileOf(lat, lon);
  const [cx, cy] = [Math.floor(x), Math.floor(y)];
  const frame = h('div', { class: 'map', role: 'img', 'aria-label': `${t('location')}: ${lat}, ${lon}` });
  let failed = false;
  for (let dy = -1; dy <= 1; dy += 1) {
    for (let dx = -1; dx <= 1; dx += 1) {
      frame.append(h('img', {
        src: `https://tile.openstreetmap.org/${ZOOM}/${cx + dx}/${cy + dy}.png`, alt: '', width: TILE, height: TILE,
        style: { left: `${(dx + 1) * TILE}px`, top: `${(dy + 1) * TILE}px` },
        onerror: () => { if (!failed) { failed = true; frame.parentElement?.remove(); onOffline(); } },
      }));
    }
  }
  // The pin sits at the point's offset inside the centre tile; the frame is scrolled to centre it.
  frame.append(h('span', { class: 'pin', style: { left: `${TILE + (x - cx) * TILE}px`, top: `${TILE + (y - cy) * TILE}px` } }));
  return h('div', { class: 'map-window' }, frame);
}

export function locationBlock(location, ref) {
  if (!location) return section(t('location'), h('p', { class: 'muted' }, '—'));
  const area = location.area_code;
  const parent = area && ref.areaParent[area];
  const note = h('p', { class: 'muted', 'aria-live': 'polite' });
  const hasPoint = typeof location.lat === 'number' && typeof location.lon === 'number';
  return section(t('location'),
    h('dl', { class: 'facts' },
      h('dt', {}, t('area')), h('dd', {}, area ? `${ref.area[area] || area}${parent ? ', ' + (ref.area[parent] || parent) : ''}` : '—'),
      h('dt', {}, t('address')), h('dd', {}, location.address || '—'),
      h('dt', {}, t('coordinates')), h('dd', {}, hasPoint ? `${location.lat.toFixed(5)}, ${location.lon.toFixed(5)}` : '—')),
    hasPoint ? tileMap(location.lat, location.lon, () => { note.textContent = t('map_offline'); }) : null,
    note);
}
