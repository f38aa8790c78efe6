// The app's texts and display settings: every string a person reads comes
// from `t(id, args)`, filled from the templates GET /api/v1/i18n/{lang}
// serves (data/messages/<lang>/web.ftl). The language and 长辈版 are the
// person's choice: kept in localStorage before login and in
// /api/v1/me/preferences after (the account's choice wins at login).

/** The languages people can read the app in, with their own names. */
export const LANGS = [
  ['zh-CN', '简体中文'],
  ['zh-HK', '繁體中文'],
  ['en', 'English'],
];
const LANG_KEY = 'yuesou.lang';
const ELDER_KEY = 'yuesou.elder';

let messages = {};
let current = 'zh-CN';
let demo = false;
/** Ids asked for but missing from the loaded language (tests read it). */
export const missing = new Set();
globalThis.yuesouMissingTexts = missing;

function known(tag) {
  return LANGS.some(([l]) => l === tag) ? tag : null;
}

/** The language chosen on this browser (zh-CN unless chosen). */
export function storedLang() {
  try {
    return known(localStorage.getItem(LANG_KEY)) || 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** The language the app is shown in now. */
export function lang() {
  return current;
}

/** Whether demo data is on (the login page names the demo accounts). */
export function demoMode() {
  return demo;
}

/** Whether 长辈版 is on on this browser. */
export function elder() {
  try {
    return localStorage.getItem(ELDER_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * The text of message `id` with `{$name}` filled from `args`. A missing id
 * is recorded in `missing` and shown as `⟦id⟧` so no test can miss it.
 */
export function t(id, args = {}) {
  const template = messages[id];
  if (template === undefined) {
    missing.add(id);
    return `⟦${id}⟧`;
  }
  return template.replace(/\{\$([A-Za-z0-9_-]+)\}/g, (all, name) =>
    (args[name] === undefined || args[name] === null ? all : String(args[name])));
}

/** Loads the texts of `tag` (falls back to zh-CN when the server has none). */
export async function load(tag = storedLang()) {
  const want = known(tag) || 'zh-CN';
  try {
    const res = await fetch(`/api/v1/i18n/${want}`, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(String(res.status));
    const body = await res.json();
    messages = body.messages || {};
    demo = Boolean(body.demo);
    current = want;
  } catch {
    if (want !== 'zh-CN') return load('zh-CN');
    messages = {};
  }
  applyShell();
}

/** Shows the shell (skip link, tab bar, header) in the current language and mode. */
export function applyShell() {
  const root = document.documentElement;
  root.lang = current;
  root.classList.toggle('elder', elder());
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll('[data-t-label]')) el.setAttribute('aria-label', t(el.dataset.tLabel));
  const description = document.querySelector('meta[name=description]');
  if (description) description.content = t('web-meta-description');
}

/** Saves the language on this browser (the caller saves it to the account). */
export async function chooseLang(tag) {
  if (!known(tag)) return;
  localStorage.setItem(LANG_KEY, tag);
  await load(tag);
}

/** Turns 长辈版 on or off on this browser. */
export function chooseElder(on) {
  localStorage.setItem(ELDER_KEY, on ? '1' : '0');
  applyShell();
}

/** Adopts another tab's change of language or mode (the storage event). */
export async function adoptStored(key) {
  if (key === LANG_KEY && storedLang() !== current) {
    await load(storedLang());
    return true;
  }
  if (key === ELDER_KEY) {
    applyShell();
    return true;
  }
  return false;
}

/** The separator of a list in a sentence: 、 in Chinese, a comma in English. */
export function listSeparator() {
  return current === 'en' ? ', ' : '、';
}
