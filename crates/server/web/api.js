// The API client: JSON over fetch with the app's language as
// Accept-Language (the daemon answers problems in it), the bearer token in
// localStorage (shared by the browser's tabs: a login or logout in one tab
// is one in all, through the storage event), problem+json errors as
// ApiError, and a cancellable "latest request wins" helper for
// search-as-you-type.

import { lang, t } from './i18n.js';

const TOKEN_KEY = 'yuesou.token';

/** An error answer of the API (an RFC 9457 problem document). */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || t('web-error-http', { status }));
    this.status = status;
    this.problem = problem || {};
  }
}

/** The session token, if logged in (every tab of this browser). */
export function token() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Stores or clears the session token and tells the page (other tabs hear it through `storage`). */
export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
  document.dispatchEvent(new CustomEvent('yuesou:auth'));
}

/** The storage key of the token (the shell listens for changes from other tabs). */
export const TOKEN_STORAGE_KEY = TOKEN_KEY;

/** Whether someone is logged in. */
export function loggedIn() {
  return Boolean(token());
}

/**
 * Calls the API. `body` is sent as JSON; the token goes along unless
 * `auth` is false; `headers` adds request headers (an Idempotency-Key).
 * Resolves to the JSON answer (null for 204), rejects with ApiError (or an
 * AbortError when `signal` aborts, a TypeError when the network fails).
 */
export async function api(path, { method = 'GET', body, signal, auth = true, headers: extra } = {}) {
  const headers = { ...extra, accept: 'application/json', 'accept-language': lang() };
  const t = auth ? token() : null;
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const type = res.headers.get('content-type') || '';
  const data = res.status === 204 || !type.includes('json') ? null : await res.json();
  if (!res.ok) {
    if (res.status === 401 && t) setToken(null);
    throw new ApiError(res.status, data);
  }
  return data;
}

/** Builds a query string from the defined, non-empty values of `params`. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/**
 * Returns a function that runs `fn(signal, ...args)` and aborts the previous
 * run still in flight: only the latest answer is ever shown.
 */
export function latest(fn) {
  let controller = null;
  return (...args) => {
    if (controller) controller.abort();
    controller = new AbortController();
    return fn(controller.signal, ...args);
  };
}

/** Whether an error is the abort of a superseded request. */
export function isAbort(e) {
  return e && e.name === 'AbortError';
}
