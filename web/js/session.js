// Who is signed in. Locally: a token from /local/token. In AWS: the Cognito hosted UI with the
// authorization code flow and PKCE (no client secret exists in a browser app).
import { api, query, setToken, settings, token } from './api.js';

export function claims() {
  const value = token();
  if (!value) return null;
  try {
    const payload = JSON.parse(atob(value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    if (payload.exp && payload.exp * 1000 < Date.now()) { setToken(null); return null; }
    return payload;
  } catch { return null; }
}

const ORDER = ['supervisor', 'verifier', 'agency_officer', 'citizen'];
export function role() {
  const found = claims();
  if (!found) return null;
  const groups = found['cognito:groups'];
  const list = Array.isArray(groups) ? groups : String(groups || '').split(',').filter(Boolean);
  return ORDER.find((name) => list.includes(name)) || 'citizen';
}

export function agencyId() {
  const found = claims();
  return found ? found['custom:agency_id'] || null : null;
}

export async function localSignIn(chosenRole, agency, name) {
  const sub = `${chosenRole}-${(name || 'petugas').toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const issued = await api('/local/token' + query({ role: chosenRole, agency_id: agency, name, sub }), { auth: false });
  setToken(issued.token);
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

export async function cognitoSignIn() {
  const { cognito } = settings();
  const verifier = randomText(48);
  const state = randomText(16);
  sessionStorage.setItem('aduan.pkce', JSON.stringify({ verifier, state }));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  location.assign(`${cognito.domain}/oauth2/authorize` + query({
    response_type: 'code', client_id: cognito.client_id, redirect_uri: cognito.redirect_uri || `${location.origin}/`,
    scope: 'openid email profile', code_challenge_method: 'S256', code_challenge: challenge, state,
  }));
}

// Back from the hosted UI with ?code=&state=: trade the code (and the PKCE verifier) for tokens.
export async function finishCognitoSignIn() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code || settings().mode !== 'cognito') return false;
  const saved = JSON.parse(sessionStorage.getItem('aduan.pkce') || '{}');
  sessionStorage.removeItem('aduan.pkce');
  history.replaceState(null, '', location.pathname + location.hash);
  if (!saved.verifier || saved.state !== params.get('state')) return false;
  const { cognito } = settings();
  const response = await fetch(`${cognito.domain}/oauth2/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: cognito.client_id, code,
      redirect_uri: cognito.redirect_uri || `${location.origin}/`, code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) return false;
  setToken((await response.json()).id_token);  // the API's Cognito authorizer reads the ID token
  return true;
}

export function signOut() {
  setToken(null);
  const { mode, cognito } = settings();
  if (mode === 'cognito') {
    location.assign(`${cognito.domain}/logout` + query({ client_id: cognito.client_id, logout_uri: cognito.logout_uri || `${location.origin}/` }));
  } else {
    location.hash = '#/signin';
  }
}
