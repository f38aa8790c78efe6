// 显示设置 — the language and 长辈版, on this browser and, once logged in,
// in the account (GET/PUT /api/v1/me/preferences) so every device follows.

import { api, loggedIn } from './api.js';
import { h } from './dom.js';
import { LANGS, chooseElder, chooseLang, elder, lang, t } from './i18n.js';

/** Set when the person chose on this browser while logged out: that choice wins at login. */
const CHOSEN_KEY = 'yuesou.display-chosen';

function remember() {
  if (!loggedIn()) localStorage.setItem(CHOSEN_KEY, '1');
}

/** Saves the current choice to the account (when logged in). */
async function saveToAccount() {
  if (!loggedIn()) return;
  try {
    await api('/api/v1/me/preferences', { method: 'PUT', body: { lang: lang(), elder_mode: elder() } });
  } catch {
    /* kept on this browser at least */
  }
}

/** Switches the language, here and in the account, and redraws the page. */
export async function setLanguage(tag) {
  remember();
  await chooseLang(tag);
  await saveToAccount();
  document.dispatchEvent(new CustomEvent('yuesou:display'));
}

/** Turns 长辈版 on or off, here and in the account, and redraws the page. */
export async function setElder(on) {
  remember();
  chooseElder(on);
  await saveToAccount();
  document.dispatchEvent(new CustomEvent('yuesou:display'));
}

/**
 * Right after login: a choice made on this browser while logged out is
 * saved to the account; otherwise the account's saved choice wins (an
 * account with none yet takes this browser's).
 */
export async function syncAfterLogin() {
  const chosenHere = localStorage.getItem(CHOSEN_KEY) === '1';
  localStorage.removeItem(CHOSEN_KEY);
  let p;
  try {
    p = await api('/api/v1/me/preferences');
  } catch {
    return;
  }
  if (chosenHere || !p.lang) {
    await saveToAccount();
    return;
  }
  if (p.lang !== lang()) await chooseLang(p.lang);
  if (Boolean(p.elder_mode) !== elder()) chooseElder(Boolean(p.elder_mode));
}

/**
 * The switches on the home page and in 我的: the language (each named in
 * its own script) and 长辈版 (a toggle button, aria-pressed).
 */
export function displaySwitches({ large = false } = {}) {
  const langs = h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('web-display-lang') },
    LANGS.map(([tag, name]) => {
      const b = h('button', { type: 'button', class: 'btn small lang-btn', lang: tag, 'data-lang': tag,
        'aria-pressed': String(tag === lang()), text: name });
      b.addEventListener('click', () => {
        if (tag !== lang()) setLanguage(tag);
      });
      return b;
    }));
  const on = elder();
  const toggle = h('button', { type: 'button', id: large ? 'elder-toggle-me' : 'elder-toggle', class: `btn elder-toggle${on ? ' on' : ''}`,
    'aria-pressed': String(on), text: on ? t('web-display-elder-off') : t('web-display-elder-on') });
  toggle.addEventListener('click', () => setElder(!elder()));
  return h('div', { class: `display-bar${large ? ' large' : ''}` }, langs, toggle);
}
