// The search box's suggestions (home and search page): an ARIA combobox
// over GET /api/v1/suggest (debounced; superseded requests aborted), with
// the settings shortcuts of shortcuts.json (长辈版 / 关怀版 / 亲情版 /
// 关爱版 … lead to 显示设置) offered first.

import { api, isAbort, latest, qs } from './api.js';
import { debounce, h, replace } from './dom.js';
import { t } from './i18n.js';

const KINDS = { item: 'web-suggest-kind-item', term: 'web-suggest-kind-term', query: 'web-suggest-kind-query' };
let shortcuts = null;

/** The settings shortcuts (loaded once from /assets/shortcuts.json). */
export async function loadShortcuts() {
  if (shortcuts) return shortcuts;
  try {
    const res = await fetch('/assets/shortcuts.json');
    shortcuts = (await res.json()).shortcuts || [];
  } catch {
    shortcuts = [];
  }
  return shortcuts;
}

/** The shortcuts whose alias is the text typed (or starts with it, two characters at least). */
export async function matchShortcuts(text) {
  const q = String(text || '').trim().toLowerCase();
  if (!q) return [];
  const all = await loadShortcuts();
  return all.filter((s) => s.aliases.some((a) => {
    const alias = a.toLowerCase();
    return alias === q || (q.length >= 2 && alias.startsWith(q)) || q.includes(alias);
  }));
}

/**
 * Wires suggestions to `input` (inside `combo`, a positioned wrapper):
 * `onChoose(suggestion)` runs on a click or Enter on an option. Returns
 * `close`.
 */
export function attachSuggestions(input, combo, { id, onChoose }) {
  const list = h('ul', { id, role: 'listbox', class: 'suggestions', 'aria-label': t('web-suggest-label'), hidden: true });
  combo.append(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', id);
  let options = [];
  let active = -1;
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const mark = () => {
    options.forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    if (active >= 0) input.setAttribute('aria-activedescendant', options[active].id);
    else input.removeAttribute('aria-activedescendant');
  };
  const option = (i, s, text, kind) => {
    const li = h('li', { id: `${id}-${i}`, role: 'option', class: `suggestion${s.kind === 'shortcut' ? ' shortcut' : ''}`, 'aria-selected': 'false' },
      h('span', { class: 'sg-text', text }),
      h('span', { class: 'sg-kind', text: kind }));
    li.addEventListener('mousedown', (e) => e.preventDefault());
    li.addEventListener('click', () => {
      close();
      onChoose(s);
    });
    li._suggestion = s;
    return li;
  };
  const suggest = latest(async (signal, prefix) => {
    if (!prefix) {
      close();
      return;
    }
    try {
      const found = (await matchShortcuts(prefix)).map((s) => ({ kind: 'shortcut', href: s.href, text: t(s.title) }));
      let items = [];
      try {
        items = (await api(`/api/v1/suggest${qs({ q: prefix, size: 8 })}`, { signal })).suggestions || [];
      } catch (e) {
        if (isAbort(e)) return;
      }
      options = [
        ...found.map((s, i) => option(i, s, s.text, t('web-suggest-kind-setting'))),
        ...items.map((s, i) => option(found.length + i, s, s.text, KINDS[s.kind] ? t(KINDS[s.kind]) : '')),
      ];
      replace(list, options);
      list.hidden = options.length === 0;
      input.setAttribute('aria-expanded', String(options.length > 0));
      active = -1;
    } catch (e) {
      if (!isAbort(e)) close();
    }
  });
  input.addEventListener('input', debounce(() => suggest(input.value.trim()), 150));
  input.addEventListener('keydown', (e) => {
    if (list.hidden || !options.length) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      active = (active + 1) % options.length;
      mark();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active - 1 + options.length) % options.length;
      mark();
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      const s = options[active]._suggestion;
      close();
      onChoose(s);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  return close;
}
