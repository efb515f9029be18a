// The only way the console talks to Aduan: the public HTTPS API, with the signed-in officer's token.
import { errorWords, t } from './i18n.js';

const TOKEN_KEY = 'aduan.token';
let config = { mode: 'local', api_base: '' };

export function configure(loaded) { config = { ...config, ...loaded }; }
export function settings() { return config; }
export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
}

// The API's error body {"error": {"code", "message", "details"}}, kept whole for the screens.
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || 'http_error';
    this.details = error.details;
  }
  get isVersionConflict() { return this.status === 409 && this.code === 'version_conflict'; }
  // One line per field for validation errors, so officers see what to fix.
  describe() {
    // The API answers in English; the code picks the officer's language, the API's sentence stays as detail.
    const words = errorWords(this.code);
    const lines = words && words !== this.message ? [words, this.message] : [this.message];
    if (Array.isArray(this.details)) {
      for (const item of this.details) {
        const where = item.field || (Array.isArray(item.loc) ? item.loc.join('.') : '');
        lines.push(`${where}: ${item.message || item.msg || ''}`.trim());
      }
    }
    return `${t('error')} (${this.status}): ${lines.join(' · ')}`;
  }
}

export async function api(path, { method = 'GET', body, auth = true, headers = {} } = {}) {
  const sent = { ...headers };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  const bearer = token();
  if (auth && bearer) sent.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(config.api_base + path, {
      method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, { error: { code: 'network', message: String(error.message || error) } });
  }
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

// Query string from an object, leaving out empty values.
export function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return pairs.length ? '?' + new URLSearchParams(pairs).toString() : '';
}

// Photo evidence: ask the API for a presigned POST, then send the file straight to storage.
export async function uploadAttachment(code, file) {
  const upload = await api(`/v1/complaints/${encodeURIComponent(code)}/attachments`, {
    method: 'POST', body: { filename: file.name, content_type: file.type || 'image/jpeg', size_bytes: file.size },
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file);
  const stored = await fetch(upload.upload_url, { method: 'POST', body: form });
  if (!stored.ok) throw new ApiError(stored.status, { error: { code: 'upload_failed', message: t('upload_failed') } });
  return upload.attachment_id;
}

// Reference data changes rarely: loaded once per page.
const cached = new Map();
export function reference(path) {
  if (!cached.has(path)) cached.set(path, api(path, { auth: false }).catch((error) => { cached.delete(path); throw error; }));
  return cached.get(path);
}
