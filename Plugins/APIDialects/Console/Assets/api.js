// The console's data API (…/api/…, next to this file's assets/ folder):
// JSON in and out, the session cookie sent by the browser (SameSite=Strict,
// HttpOnly), and the session's CSRF token on every change.
const base = new URL('../api/', import.meta.url);
let csrfToken = '';

export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setCSRF(token) { csrfToken = token || ''; }

export async function call(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(new URL(path, base), init);
  } catch (e) {
    throw new APIError(0, 'network', 'The server cannot be reached.');
  }
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const error = data && data.error;
    throw new APIError(response.status, error ? error.code : 'http', error ? error.message : `HTTP ${response.status}`);
  }
  return data;
}

export const api = {
  session: () => call('GET', 'session'),
  signIn: (username, password, code) => call('POST', 'session', code ? { username, password, code } : { username, password }),
  signOut: () => call('DELETE', 'session'),
  // `cursor`: where the page starts, { after, offset }: `after` the `next`
  // of the page before (null: from the start), `offset` its `nextOffset`.
  users: (q, cursor, limit) => {
    const query = { q, limit: String(limit) };
    if (cursor.after !== null) query.after = cursor.after;
    if (cursor.offset) query.offset = String(cursor.offset);
    return call('GET', `users?${new URLSearchParams(query)}`);
  },
  user: (id) => call('GET', `users/${encodeURIComponent(id)}`),
  action: (id, action, body) => call('POST', `users/${encodeURIComponent(id)}/${action}`, body),
  deleteUser: (id) => call('DELETE', `users/${encodeURIComponent(id)}`),
  groups: () => call('GET', 'groups'),
  createGroup: (name, description) => call('POST', 'groups', { name, description }),
  updateGroup: (id, name, description) => call('PUT', `groups/${encodeURIComponent(id)}`, { name, description }),
  deleteGroup: (id) => call('DELETE', `groups/${encodeURIComponent(id)}`),
  roles: () => call('GET', 'roles'),
  createRole: (slug, name) => call('POST', 'roles', { slug, name }),
  updateRole: (slug, name) => call('PUT', `roles/${encodeURIComponent(slug)}`, { name }),
  deleteRole: (slug) => call('DELETE', `roles/${encodeURIComponent(slug)}`),
  plugins: () => call('GET', 'plugins'),
  audit: (filters) => call('GET', `audit?${new URLSearchParams(filters)}`),
  health: () => call('GET', 'health'),
  security: () => call('GET', 'security'),
  startTOTP: () => call('POST', 'security/totp'),
  confirmTOTP: (code, password) => call('POST', 'security/totp/confirm', { code, password }),
  turnOffTOTP: (proof) => call('DELETE', 'security/totp', proof),
};
