// 首页: the pinned notice, the search box, hot searches, recommendations
// with their reasons, and the category → theme grid.

import { api, ApiError, loggedIn, qs } from '../api.js';
import { h, pageTitle, replace, section, errorBox } from '../dom.js';
import { getPlace, placeParams, placeLabel } from '../place.js';

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
  const gridSlot = h('div', {}, h('p', { class: 'status', role: 'status', text: '正在加载服务分类…' }));
  const input = h('input', {
    id: 'home-q', type: 'search', name: 'q', autocomplete: 'off', enterkeyhint: 'search',
    placeholder: '搜索服务，如 公积金提取',
  });
  const form = h('form', { class: 'searchbar', role: 'search', action: '/search' },
    h('label', { for: 'home-q', class: 'sr-only', text: '搜索政务服务' }),
    input,
    h('button', { type: 'submit', class: 'btn primary', text: '搜索' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(`/search${qs({ q: input.value.trim() })}`);
  });
  replace(view,
    h('div', { class: 'hero' },
      pageTitle('粤省事 · 指尖办事'),
      h('p', { class: 'hero-sub' }, `位置：${placeLabel()} · `, h('a', { href: '/search', text: '切换' }))),
    noticeSlot, form, hotSlot,
    // A person's own recommendations come first; anonymous ones after the grid.
    loggedIn() ? recSlot : null, gridSlot, loggedIn() ? null : recSlot);

  const place = getPlace();
  const recs = fetchRecommendations(place);
  const tasks = [
    loadNotice(noticeSlot),
    loadHot(hotSlot),
    loadRecommendations(recSlot, recs),
    loadGrid(gridSlot, place, recs),
  ];
  await Promise.allSettled(tasks);
}

async function loadNotice(slot) {
  let notice;
  try {
    notice = (await api('/api/v1/notice')).notice;
  } catch {
    return;
  }
  if (!notice || dismissedLocally().includes(notice.id)) return;
  const close = h('button', { type: 'button', class: 'notice-close', 'aria-label': '关闭公告', text: '×' });
  const box = h('aside', { class: 'notice', 'aria-label': '置顶公告' },
    h('div', { class: 'notice-text' },
      h('strong', { text: notice.title }),
      h('p', { text: notice.body })),
    close);
  close.addEventListener('click', async () => {
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

async function loadHot(slot) {
  let entries;
  try {
    entries = (await api('/api/v1/hot?limit=10')).entries || [];
  } catch {
    return; // not served yet (404) or failed: the section is left out
  }
  if (!entries.length) return;
  replace(slot, section('热门搜索',
    h('ul', { class: 'chips' }, entries.map((e) =>
      h('li', {}, h('a', { class: 'chip', href: `/search${qs({ q: e.query })}` },
        e.pinned ? h('span', { class: 'chip-tag', text: '荐' }) : null, e.query))))));
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

async function loadRecommendations(slot, recs) {
  const r = await recs;
  if (r instanceof Error) {
    slot.append(errorBox(r));
    return;
  }
  const items = (r && r.items) || [];
  if (!items.length) return;
  replace(slot, section(loggedIn() ? '为您推荐' : '大家都在办',
    h('ul', { class: 'list' }, items.slice(0, loggedIn() ? 5 : 4).map((it) =>
      h('li', {}, h('a', { class: 'row', href: it.application_id
        ? `/me/applications/${encodeURIComponent(it.application_id)}`
        : `/items/${encodeURIComponent(it.id)}` },
        h('span', { class: 'row-main' },
          h('span', { class: 'row-title', text: it.title }),
          h('span', { class: 'row-sub', text: it.reason || `${it.category} · ${it.theme}` })),
        h('span', { class: 'chev', 'aria-hidden': 'true', text: '›' })))))));
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
      h('ul', { class: 'grid' }, cat.themes.map((t) =>
        h('li', {}, h('a', { class: 'tile', href: `/search${qs({ category: cat.category, theme: t.theme })}` },
          h('span', { class: `tile-icon ${palette[n++ % palette.length]}`, 'aria-hidden': 'true', text: t.theme.slice(0, 1) }),
          h('span', { class: 'tile-name', text: t.theme }),
          h('span', { class: 'tile-count', text: `${t.count} 项` }))))))));
}
