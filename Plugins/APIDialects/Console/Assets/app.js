// The console page: sign-in, then one view per navigation entry (the URL's
// #hash). Data comes from api.js; the DOM is built with ui.js (text only).
import { api, setCSRF, APIError } from './api.js';
import { $, el, toast, confirmAction, generatePassword } from './ui.js';
import { startHealth, stopHealth } from './health.js';
import { initSecurity, loadSecurity } from './security.js';

const pages = ['users', 'groups', 'roles', 'plugins', 'health', 'audit', 'security'];
// Users are paged by keyset: `cursors` holds the start of every page shown
// so far, { after, offset } (the first page's is { after: null, offset: 0 };
// users without a username, which sort first, are paged by offset), so
// Previous goes back one.
const firstPage = { after: null, offset: 0 };
const state = { me: null, search: '', cursors: [firstPage], next: null, limit: 25, total: 0, selected: null, searchSeq: 0 };

// ---- session -------------------------------------------------------------

async function start() {
  $('signin-form').addEventListener('submit', onSignIn);
  $('sign-out').addEventListener('click', onSignOut);
  $('user-search').addEventListener('input', onSearchInput);
  $('user-prev').addEventListener('click', () => {
    if (state.cursors.length > 1) state.cursors.pop();
    loadUsers().catch((e) => toast(e.message));
  });
  $('user-next').addEventListener('click', () => {
    if (state.next === null) return;
    state.cursors.push(state.next);
    loadUsers().catch((e) => toast(e.message));
  });
  $('group-form').addEventListener('submit', onCreateGroup);
  $('role-form').addEventListener('submit', onCreateRole);
  $('audit-form').addEventListener('submit', (event) => { event.preventDefault(); loadAudit().catch((e) => toast(e.message)); });
  $('audit-clear').addEventListener('click', () => {
    for (const id of ['audit-actor', 'audit-action', 'audit-target', 'audit-since', 'audit-until']) $(id).value = '';
    loadAudit().catch((e) => toast(e.message));
  });
  $('audit-older').addEventListener('click', () => loadAudit(state.auditNext).catch((e) => toast(e.message)));
  initSecurity({ guarded });
  window.addEventListener('hashchange', route);
  try {
    signedIn(await api.session());
  } catch (e) {
    showSignIn();
  }
}

function signedIn(session) {
  state.me = session.user;
  setCSRF(session.csrfToken);
  $('who-name').textContent = session.user.username || session.user.id;
  $('nav').hidden = false;
  $('who').hidden = false;
  route();
}

function showSignIn(message) {
  stopHealth();
  state.me = null;
  setCSRF('');
  $('nav').hidden = true;
  $('who').hidden = true;
  show('signin');
  const error = $('signin-error');
  error.hidden = !message;
  error.textContent = message || '';
  $('signin-username').focus();
}

async function onSignIn(event) {
  event.preventDefault();
  const username = $('signin-username').value;
  const password = $('signin-password').value;
  const code = $('signin-code').value.trim();
  const error = $('signin-error');
  error.hidden = true;
  $('signin-submit').disabled = true;
  try {
    const session = await api.signIn(username, password, code || undefined);
    $('signin-password').value = '';
    $('signin-code').value = '';
    $('signin-code-label').hidden = true;
    signedIn(session);
  } catch (e) {
    if (e.code === 'code_required') {
      $('signin-code-label').hidden = false;
      $('signin-code').focus();
    }
    error.textContent = e.message;
    error.hidden = false;
  } finally {
    $('signin-submit').disabled = false;
  }
}

async function onSignOut() {
  try { await api.signOut(); } catch (e) { /* the session may have ended already */ }
  showSignIn('Signed out.');
}

// A data call that sends the page back to sign-in when the session ended.
async function guarded(promise) {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof APIError && e.status === 401) showSignIn(e.message);
    throw e;
  }
}

// ---- navigation ----------------------------------------------------------

function show(page) {
  for (const section of document.querySelectorAll('main > section.page')) {
    section.hidden = section.id !== `page-${page}`;
  }
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.page === page);
  }
}

function route() {
  if (!state.me) return showSignIn();
  const page = pages.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'users';
  show(page);
  if (page === 'health') startHealth(guarded); else stopHealth();
  const loaders = { users: loadUsers, groups: loadGroups, roles: loadRoles, plugins: loadPlugins, audit: () => loadAudit(), security: loadSecurity };
  if (loaders[page]) loaders[page]().catch((e) => toast(e.message));
}

// ---- users ---------------------------------------------------------------

let searchTimer = 0;
function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    state.search = $('user-search').value;
    state.cursors = [firstPage];
    loadUsers().catch((e) => toast(e.message));
  }, 120);
}

async function loadUsers() {
  const seq = ++state.searchSeq;
  const cursor = state.cursors[state.cursors.length - 1];
  const page = await guarded(api.users(state.search, cursor, state.limit));
  if (seq !== state.searchSeq) return; // a later keystroke's answer wins
  state.total = page.total;
  state.next = page.next !== null ? { after: page.next, offset: 0 } : page.nextOffset != null ? { after: null, offset: page.nextOffset } : null;
  const rows = page.users.map((u) => el('tr', { class: u.id === state.selected ? 'selected' : null, dataset: { id: u.id } },
    el('td', {}, el('button', { type: 'button', class: 'name', text: u.username || u.id, onclick: () => openUser(u.id) })),
    el('td', { text: u.email || '' }),
    el('td', {}, u.roles.map((r) => el('span', { class: 'badge', text: r }))),
    el('td', {}, statusBadges(u))));
  $('user-rows').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '4', class: 'muted', text: 'No users match.' }))]));
  const matchNote = page.match === 'prefix' ? ' (names starting with it)' : page.match === 'contains' ? ' (names containing it)' : '';
  // Past the store's cap the total is a lower bound: "10,000+ users".
  const total = `${page.total.toLocaleString('en-US')}${page.totalAtLeast ? '+' : ''}`;
  $('user-count').textContent = `${total} user${page.total === 1 && !page.totalAtLeast ? '' : 's'}${matchNote}`;
  const first = (state.cursors.length - 1) * state.limit;
  $('user-page').textContent = page.users.length ? `${(first + 1).toLocaleString('en-US')}–${(first + page.users.length).toLocaleString('en-US')} of ${total}` : '';
  $('user-prev').disabled = state.cursors.length === 1;
  $('user-next').disabled = state.next === null;
}

function statusBadges(u) {
  return [
    u.disabled ? el('span', { class: 'badge off', text: 'disabled' }) : el('span', { class: 'badge on', text: 'active' }),
    u.mfa ? el('span', { class: 'badge mfa', text: 'MFA' }) : null,
  ];
}

async function openUser(id) {
  state.selected = id;
  for (const row of document.querySelectorAll('#user-rows tr')) row.classList.toggle('selected', row.dataset.id === id);
  const user = await guarded(api.user(id)).catch((e) => { toast(e.message); return null; });
  if (!user) return;
  renderUser(user);
}

function renderUser(u) {
  const panel = $('user-detail');
  const field = (name, value) => [el('dt', { text: name }), el('dd', {}, value === null || value === undefined || value === '' ? el('span', { class: 'muted', text: '—' }) : value)];
  const documents = Object.entries(u.documents || {});
  const isMe = state.me && u.id === state.me.id;
  panel.replaceChildren(
    el('h2', { text: u.username || u.id }),
    el('dl', { class: 'fields' },
      field('Id', el('code', { text: u.id })),
      field('Username', u.username),
      field('Email', u.email),
      field('Display name', u.displayName),
      field('Status', statusBadges(u)),
      field('Roles', u.roles.length ? u.roles.map((r) => el('span', { class: 'badge', text: r })) : null),
      field('Group', u.group ? (u.group.name || u.group.id) : null),
      field('MFA', u.mfa ? 'on' : 'off'),
      field('Sessions', u.sessions === null ? el('span', { class: 'muted', text: 'not countable (the store predates ABI 2.6)' }) : `${u.sessions} live`),
      field('API keys', String(u.apiKeys)),
      field('Created', u.createdAt),
      field('Last sign-in', u.loginAt)),
    el('div', { class: 'actions' },
      u.disabled
        ? el('button', { type: 'button', text: 'Enable', onclick: () => act(u, 'enable', 'Enable', `Let ${label(u)} sign in again?`, false) })
        : el('button', { type: 'button', text: 'Disable', disabled: isMe, onclick: () => act(u, 'disable', 'Disable', `Disable ${label(u)}? Every session of theirs ends, in every dialect, and they cannot sign in until enabled.`) }),
      el('button', { type: 'button', text: 'Reset password', disabled: isMe, onclick: () => resetPassword(u) }),
      el('button', { type: 'button', text: 'Turn off MFA', disabled: !u.mfa || isMe, onclick: () => act(u, 'turn-off-mfa', 'Turn off MFA', `Turn off ${label(u)}'s second factor? They will sign in with the password alone until they enrol again.`) }),
      el('button', { type: 'button', text: 'Revoke sessions', onclick: () => act(u, 'revoke-sessions', 'Revoke sessions', `End every session of ${label(u)} in every dialect?`) }),
      el('button', { type: 'button', text: 'Delete', class: 'danger', disabled: isMe, onclick: () => deleteUser(u) })),
    el('h2', { text: 'Dialect documents' }),
    ...(documents.length
      ? documents.flatMap(([ns, doc]) => [el('h3', { text: ns }), el('pre', { class: 'json', text: JSON.stringify(doc, null, 2) })])
      : [el('p', { class: 'muted', text: 'No dialect documents.' })]));
  panel.hidden = false;
}

const label = (u) => u.username || u.id;

async function act(u, action, title, text, danger = true) {
  let answer = null;
  const done = await confirmAction({ title, text, confirmLabel: title, danger, action: async () => { answer = await guarded(api.action(u.id, action)); } });
  if (!done) return;
  toast(`${title}: done${answer && answer.sessionsEnded !== undefined ? ` (${answer.sessionsEnded} session${answer.sessionsEnded === 1 ? '' : 's'} ended)` : ''}.`);
  await refreshUser(u.id);
}

async function resetPassword(u) {
  const input = el('input', { id: 'reset-password-input', type: 'text', autocomplete: 'new-password', value: generatePassword() });
  const extra = el('label', {}, 'New password',
    el('div', { class: 'row' }, input, el('button', { type: 'button', text: 'Generate', onclick: () => { input.value = generatePassword(); } })));
  const done = await confirmAction({
    title: 'Reset password', confirmLabel: 'Reset password', extra,
    text: `Set a new password for ${label(u)}. Every session of theirs ends, in every dialect.`,
    action: async () => {
      if (!input.value) throw new Error('Type a password (or generate one).');
      await guarded(api.action(u.id, 'reset-password', { password: input.value }));
    },
  });
  if (done) { toast('Password changed; their sessions ended.'); await refreshUser(u.id); }
}

async function deleteUser(u) {
  const done = await confirmAction({
    title: 'Delete', confirmLabel: 'Delete', text: `Delete ${label(u)} for good, with their sessions, API keys and documents? This cannot be undone.`,
    action: () => guarded(api.deleteUser(u.id)),
  });
  if (!done) return;
  toast(`${label(u)} deleted.`);
  state.selected = null;
  $('user-detail').hidden = true;
  await loadUsers();
}

async function refreshUser(id) {
  await loadUsers();
  const user = await guarded(api.user(id)).catch(() => null);
  if (user) renderUser(user);
}

// ---- groups --------------------------------------------------------------

async function loadGroups() {
  const { groups } = await guarded(api.groups());
  $('group-rows').replaceChildren(...(groups.length ? groups.map((g) => el('tr', {},
    el('td', { text: g.name }), el('td', { text: g.description || '' }), el('td', { text: String(g.members) }),
    el('td', { class: 'actions' },
      el('button', { type: 'button', text: 'Rename', onclick: () => renameGroup(g) }),
      el('button', { type: 'button', text: 'Delete', class: 'danger', onclick: () => deleteGroup(g) }))))
    : [el('tr', {}, el('td', { colspan: '4', class: 'muted', text: 'No groups yet.' }))]));
}

async function onCreateGroup(event) {
  event.preventDefault();
  try {
    await guarded(api.createGroup($('group-name').value, $('group-description').value || undefined));
    $('group-name').value = '';
    $('group-description').value = '';
    toast('Group created.');
    await loadGroups();
  } catch (e) { toast(e.message); }
}

async function renameGroup(g) {
  const name = el('input', { id: 'group-rename-name', value: g.name });
  const description = el('input', { id: 'group-rename-description', value: g.description || '' });
  const extra = el('div', {}, el('label', {}, 'Name', name), el('label', {}, 'Description', description));
  const done = await confirmAction({ title: 'Rename group', confirmLabel: 'Save', danger: false, text: '', extra,
    action: () => guarded(api.updateGroup(g.id, name.value, description.value || undefined)) });
  if (done) await loadGroups();
}

async function deleteGroup(g) {
  const done = await confirmAction({ title: 'Delete group', confirmLabel: 'Delete', text: `Delete the group ${g.name}? Its ${g.members} member(s) stay, without a group.`,
    action: () => guarded(api.deleteGroup(g.id)) });
  if (done) await loadGroups();
}

// ---- roles ---------------------------------------------------------------

async function loadRoles() {
  const { roles } = await guarded(api.roles());
  $('role-rows').replaceChildren(...roles.map((r) => el('tr', {},
    el('td', {}, el('code', { text: r.slug })), el('td', { text: r.name || '' }),
    el('td', { class: 'actions' },
      el('button', { type: 'button', text: 'Rename', onclick: () => renameRole(r) }),
      el('button', { type: 'button', text: 'Delete', class: 'danger', disabled: r.builtIn, onclick: () => deleteRole(r) })))));
}

async function onCreateRole(event) {
  event.preventDefault();
  try {
    await guarded(api.createRole($('role-slug').value, $('role-name').value || undefined));
    $('role-slug').value = '';
    $('role-name').value = '';
    toast('Role created.');
    await loadRoles();
  } catch (e) { toast(e.message); }
}

async function renameRole(r) {
  const name = el('input', { id: 'role-rename-name', value: r.name || '' });
  const done = await confirmAction({ title: 'Rename role', confirmLabel: 'Save', danger: false, text: `The role ${r.slug} keeps its slug.`,
    extra: el('label', {}, 'Name', name), action: () => guarded(api.updateRole(r.slug, name.value || undefined)) });
  if (done) await loadRoles();
}

async function deleteRole(r) {
  const done = await confirmAction({ title: 'Delete role', confirmLabel: 'Delete', text: `Delete the role ${r.slug}? It is taken from every user who holds it.`,
    action: () => guarded(api.deleteRole(r.slug)) });
  if (done) await loadRoles();
}

// ---- plugins -------------------------------------------------------------

async function loadPlugins() {
  const { plugins } = await guarded(api.plugins());
  $('plugin-rows').replaceChildren(...plugins.map((p) => el('tr', {},
    el('td', { text: p.kind }), el('td', {}, el('code', { text: p.name })), el('td', { text: p.version }), el('td', { text: p.abi }),
    el('td', { text: p.mount ? `mounted at ${p.mount}` : p.method ? `method ${p.method}` : '' }),
    el('td', { class: 'muted', text: p.description }))));
}

// ---- audit ---------------------------------------------------------------

// The filters as the API takes them; dates are local days (To: the whole day).
function auditFilters(before) {
  const filters = { limit: '50' };
  const text = (id) => $(id).value.trim();
  if (text('audit-actor')) filters.actor = text('audit-actor');
  if (text('audit-action')) filters.action = text('audit-action');
  if (text('audit-target')) filters.target = text('audit-target');
  if ($('audit-since').value) filters.since = String(new Date(`${$('audit-since').value}T00:00:00`).getTime());
  if ($('audit-until').value) filters.until = String(new Date(`${$('audit-until').value}T00:00:00`).getTime() + 86400000);
  if (before) filters.before = String(before);
  return filters;
}

async function loadAudit(before) {
  const page = await guarded(api.audit(auditFilters(before)));
  state.auditNext = page.next;
  const rows = page.events.map((e) => el('tr', {},
    el('td', {}, el('time', { datetime: e.time, text: new Date(e.time).toLocaleString() })),
    el('td', { text: e.actor.name }),
    el('td', {}, el('code', { text: e.action })),
    el('td', { text: e.target ? `${e.target.name || e.target.id || ''}${e.target.kind ? ` (${e.target.kind})` : ''}` : '' }),
    el('td', { text: e.source }),
    el('td', { text: e.address || '—' }),
    el('td', {}, e.detail ? el('code', { text: JSON.stringify(e.detail) }) : '')));
  const body = $('audit-rows');
  if (before) body.append(...rows);
  else body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '7', class: 'muted', text: 'No events match.' }))]));
  $('audit-older').disabled = !page.next;
  $('audit-note').textContent = page.next ? '' : 'No older events.';
}

start();
