// 首页: the display switches (language, 长辈版), the pinned notice, the
// search box with suggestions, the person's key figures (公积金余额 …), hot searches (the curated list until people
// have searched), recommendations with their reasons, and the category →
// theme grid. In 长辈版 the home is simplified: a few large tiles of the
// person's most-used services instead of the grid.

import { api, ApiError, loggedIn, qs } from '../api.js';
import { h, pageTitle, replace, section, errorBox } from '../dom.js';
import { elder, t } from '../i18n.js';
import { getPlace, placeParams, placeLabel } from '../place.js';
import { displaySwitches } from '../prefs.js';
import { attachSuggestions } from '../suggest.js';
import { keyFigures } from '../records.js';

const DISMISSED = 'yuesou.dismissed-notices';

function dismissedLocally() {
  try {
    const v = JSON.parse(localStorage.getItem(DISMISSED) || '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Renders the home page into `view`. */
export async function render(view, ctx) {
  const noticeSlot = h('div');
  const hotSlot = h('div');
  const recSlot = h('div');
  const figuresSlot = h('div', { id: 'key-figures' });
  const gridSlot = h('div', {}, h('p', { class: 'status', role: 'status', text: t('web-home-loading-grid') }));
  const input = h('input', {
    id: 'home-q', type: 'search', name: 'q', autocomplete: 'off', enterkeyhint: 'search',
    placeholder: t('web-home-placeholder'),
  });
  const combo = h('div', { class: 'combo' }, input);
  const form = h('form', { class: 'searchbar', role: 'search', action: '/search' },
    h('label', { for: 'home-q', class: 'sr-only', text: t('web-search-label') }),
    combo,
    h('button', { type: 'submit', class: 'btn primary', text: t('web-search-submit') }));
  const close = attachSuggestions(input, combo, {
    id: 'home-suggestions',
    onChoose: (s) => {
      if (s.kind === 'shortcut') ctx.navigate(s.href);
      else if (s.kind === 'item' && s.id) ctx.navigate(`/items/${encodeURIComponent(s.id)}`);
      else ctx.navigate(`/search${qs({ q: s.text })}`);
    },
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    close();
    ctx.navigate(`/search${qs({ q: input.value.trim() })}`);
  });
  const simple = elder();
  replace(view,
    h('div', { class: 'hero' },
      pageTitle(t('web-home-title')),
      h('p', { class: 'hero-sub' }, t('web-home-place', { place: placeLabel() }), h('a', { href: '/search', text: t('web-home-place-change') }))),
    displaySwitches(),
    noticeSlot, form,
    // The person's key figures stand where 常用服务 would.
    figuresSlot,
    simple ? recSlot : null,
    hotSlot,
    // A person's own recommendations come first; anonymous ones after the grid.
    !simple && loggedIn() ? recSlot : null,
    simple ? null : gridSlot,
    !simple && !loggedIn() ? recSlot : null);

  // Each figure loads on its own; the page never waits for a department.
  const stopFigures = keyFigures(figuresSlot);
  const place = getPlace();
  const recs = fetchRecommendations(place);
  const tasks = [loadNotice(noticeSlot), loadHot(hotSlot, simple)];
  if (simple) tasks.push(loadElderTiles(recSlot, recs));
  else tasks.push(loadRecommendations(recSlot, recs), loadGrid(gridSlot, place, recs));
  await Promise.allSettled(tasks);
  return () => {
    close();
    stopFigures();
  };
}

async function loadNotice(slot) {
  let notice;
  try {
    notice = (await api('/api/v1/notice')).notice;
  } catch {
    return;
  }
  if (!notice || dismissedLocally().includes(notice.id)) return;
  const closeBtn = h('button', { type: 'button', class: 'notice-close', 'aria-label': t('web-notice-close'), text: '×' });
  const box = h('aside', { class: 'notice', 'aria-label': t('web-notice-label') },
    h('div', { class: 'notice-text' },
      h('strong', { text: notice.title }),
      h('p', { text: notice.body })),
    closeBtn);
  closeBtn.addEventListener('click', async () => {
    box.remove();
    const ids = dismissedLocally();
    ids.push(notice.id);
    localStorage.setItem(DISMISSED, JSON.stringify(ids.slice(-50)));
    if (loggedIn()) {
      try {
        await api(`/api/v1/me/messages/${encodeURIComponent(notice.id)}/dismiss`, { method: 'POST' });
      } catch {
        /* dismissed on this device at least */
      }
    }
    document.getElementById('home-q')?.focus();
  });
  replace(slot, box);
}

async function loadHot(slot, simple) {
  let r;
  try {
    // The curated list stands in until enough people have searched.
    r = await api(`/api/v1/hot?limit=${simple ? 4 : 10}&curated=true`);
  } catch {
    return;
  }
  const entries = r.entries || [];
  if (!entries.length) return;
  replace(slot, section(t('web-hot-title'),
    h('ul', { class: 'chips', 'data-curated': r.curated ? 'true' : 'false' }, entries.map((e) =>
      h('li', {}, h('a', { class: 'chip', href: `/search${qs({ q: e.query })}` },
        e.pinned ? h('span', { class: 'chip-tag', text: t('web-hot-pinned') }) : null, e.query))))));
}

/** The recommendations (`{items, categories}`), or an ApiError / null. */
async function fetchRecommendations(place) {
  const path = loggedIn()
    ? '/api/v1/me/recommendations'
    : `/api/v1/recommendations${qs(placeParams(place))}`;
  try {
    return await api(path);
  } catch (e) {
    return e instanceof ApiError ? null : e;
  }
}

function recHref(it) {
  return it.application_id
    ? `/me/applications/${encodeURIComponent(it.application_id)}`
    : `/items/${encodeURIComponent(it.id)}`;
}

async function loadRecommendations(slot, recs) {
  const r = await recs;
  if (r instanceof Error) {
    slot.append(errorBox(r));
    return;
  }
  const items = (r && r.items) || [];
  if (!items.length) return;
  replace(slot, section(loggedIn() ? t('web-home-for-you') : t('web-home-popular'),
    h('ul', { class: 'list' }, items.slice(0, loggedIn() ? 5 : 4).map((it) =>
      h('li', {}, h('a', { class: 'row', href: recHref(it) },
        h('span', { class: 'row-main' },
          h('span', { class: 'row-title', text: it.title }),
          h('span', { class: 'row-sub', text: it.reason || `${it.category} · ${it.theme}` })),
        h('span', { class: 'chev', 'aria-hidden': 'true', text: '›' })))))));
}

/** 长辈版: few, large tiles — this person's most-used services, then 卡证, 办件 and 消息. */
async function loadElderTiles(slot, recs) {
  const r = await recs;
  const items = (r && !(r instanceof Error) && r.items) || [];
  const tiles = items.slice(0, 3).map((it) => [recHref(it), it.title, it.reason || '']);
  tiles.push(['/wallet', t('web-elder-tile-wallet'), t('web-elder-tile-wallet-sub')]);
  tiles.push(['/me/applications', t('web-elder-tile-applications'), t('web-elder-tile-applications-sub')]);
  tiles.push(['/me/messages', t('web-elder-tile-messages'), t('web-elder-tile-messages-sub')]);
  replace(slot, section(t('web-elder-tiles-title'),
    h('ul', { class: 'elder-tiles' }, tiles.map(([href, title, sub]) =>
      h('li', {}, h('a', { class: 'elder-tile', href },
        h('span', { class: 'elder-tile-title', text: title }),
        sub ? h('span', { class: 'elder-tile-sub', text: sub }) : null))))));
}

async function loadGrid(slot, place, recs) {
  let tree;
  try {
    tree = await api(`/api/v1/categories${qs(place && place.kind === 'city' ? { region: place.code } : {})}`);
  } catch (e) {
    replace(slot, errorBox(e));
    return;
  }
  // Logged in: categories in the order of this person's recommendations.
  const r = loggedIn() ? await recs : null;
  const order = (r && !(r instanceof Error) && r.categories) || [];
  if (order.length) {
    const rank = (c) => (order.indexOf(c.category) + order.length + 1) % (order.length + 1);
    tree.categories = (tree.categories || []).map((c, i) => [c, i])
      .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j).map(([c]) => c);
  }
  const palette = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
  let n = 0;
  replace(slot, (tree.categories || []).map((cat) =>
    section(cat.category,
      h('ul', { class: 'grid' }, cat.themes.map((th) =>
        h('li', {}, h('a', { class: 'tile', href: `/search${qs({ category: cat.category, theme: th.theme })}` },
          h('span', { class: `tile-icon ${palette[n++ % palette.length]}`, 'aria-hidden': 'true', text: th.theme.slice(0, 1) }),
          h('span', { class: 'tile-name', text: th.theme }),
          h('span', { class: 'tile-count', text: t('web-count-items', { count: th.count }) }))))))));
}
