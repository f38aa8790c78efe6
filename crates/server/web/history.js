// Search history: the server's when logged in (issue 12's
// /api/v1/me/history), this browser's localStorage otherwise.

import { api, loggedIn } from './api.js';

const KEY = 'yuesou.history';
const CAP = 20;

function local() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(v) ? v.filter((e) => e && typeof e.query === 'string') : [];
  } catch {
    return [];
  }
}

function saveLocal(entries) {
  localStorage.setItem(KEY, JSON.stringify(entries.slice(0, CAP)));
}

/**
 * The history, newest first: `{entries: [{id, query}], source, paused?}` —
 * the server's when logged in, this browser's otherwise.
 */
export async function listHistory(signal) {
  if (!loggedIn()) return { entries: local(), source: 'local' };
  const r = await api('/api/v1/me/history', { signal });
  return { entries: r.entries || [], paused: Boolean(r.paused), source: 'server' };
}

/** Records a query on the client (the server records searches sent with a token itself). */
export function rememberLocally(query) {
  const q = query.trim();
  if (!q || loggedIn()) return;
  const entries = local().filter((e) => e.query !== q);
  entries.unshift({ id: `l${Date.now().toString(36)}`, query: q, searched_at: new Date().toISOString() });
  saveLocal(entries);
}

/** Deletes one entry (by id), or every entry with no id. */
export async function deleteHistory(id) {
  if (!loggedIn()) {
    saveLocal(id ? local().filter((e) => e.id !== id) : []);
    return;
  }
  const path = id ? `/api/v1/me/history/${encodeURIComponent(id)}` : '/api/v1/me/history';
  await api(path, { method: 'DELETE' });
}

/** Pauses or resumes server-side history (the `history_paused` setting). */
export async function setHistoryPaused(paused) {
  const settings = await api('/api/v1/me/settings');
  await api('/api/v1/me/settings', { method: 'PUT', body: { ...settings, history_paused: paused } });
}
