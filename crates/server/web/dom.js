// Tiny DOM helpers: elements are built from data, never from HTML strings,
// so nothing the API sends can become markup.

import { t } from './i18n.js';

/**
 * Creates an element. `attrs` keys: `class`, `text`, `on<event>` handlers,
 * boolean attributes (true/false), anything else as an attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, arrays, null skipped). */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Empties an element and fills it again. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/**
 * A title with the API's `<em>` highlights (already escaped by the server)
 * turned into <mark> elements without parsing HTML.
 */
export function highlighted(text) {
  const out = [];
  const parts = String(text).split(/(<em>|<\/em>)/);
  let on = false;
  for (const p of parts) {
    if (p === '<em>') on = true;
    else if (p === '</em>') on = false;
    else if (p) out.push(on ? h('mark', { text: unescape(p) }) : unescape(p));
  }
  return out;
}

function unescape(s) {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A short status line for a container (role=status so it is announced). */
export function status(text) {
  return h('p', { class: 'status', role: 'status', text });
}

/** An error box for a failed call. */
export function errorBox(e, fallback) {
  return h('p', { class: 'error', role: 'alert', text: (e && e.message) || fallback || t('web-error-generic') });
}

/** Formats an RFC 3339 time as local 年月日 时:分. */
export function when(rfc3339) {
  if (!rfc3339) return '';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Debounces `fn` by `ms`. */
export function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** The page's heading (focusable, so navigation can move focus to it) and document title. */
export function pageTitle(text, { visible = true } = {}) {
  document.title = t('web-doc-title', { page: text });
  return h('h1', { tabindex: '-1', class: visible ? null : 'sr-only', text });
}

/** A titled section. */
export function section(title, ...children) {
  const id = `s-${Math.random().toString(36).slice(2, 9)}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id, text: title }), ...children);
}
