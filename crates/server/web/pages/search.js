// 搜索: suggestions while typing (debounced, superseded requests aborted),
// history and hot searches, results grouped by category with filters, the
// correction notice, and the location used.

import { api, isAbort, latest, loggedIn, qs } from '../api.js';
import { debounce, errorBox, h, highlighted, pageTitle, replace, section, status } from '../dom.js';
import { deleteHistory, listHistory, rememberLocally, setHistoryPaused } from '../history.js';
import { CITIES, getPlace, locate, placeLabel, placeParams, setPlace } from '../place.js';

const FILTERS = ['category', 'theme', 'service_type', 'online'];
const SOURCES = { query: '查询词中的地名', position: '浏览器定位', explicit: '所选城市' };
const KINDS = { item: '服务', term: '词条', query: '热搜' };
const PAGE_SIZE = 20;

/** Renders the search page into `view`. */
export async function render(view, ctx) {
  const q = (ctx.query.get('q') || '').trim();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, ctx.query.get(f) || '']));
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') || '1', 10) || 1);
  const exact = ctx.query.get('correct') === 'false';
  const go = (params) => ctx.navigate(`/search${qs(params)}`);

  const input = h('input', {
    id: 'q', type: 'search', name: 'q', value: q, autocomplete: 'off', spellcheck: 'false',
    enterkeyhint: 'search', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
    'aria-controls': 'suggestions', placeholder: '输入服务名称、拼音或首字母',
  });
  const list = h('ul', { id: 'suggestions', role: 'listbox', class: 'suggestions', 'aria-label': '搜索建议', hidden: true });
  const form = h('form', { class: 'searchbar', role: 'search', action: '/search' },
    h('label', { for: 'q', class: 'sr-only', text: '搜索政务服务' }),
    h('div', { class: 'combo' }, input, list),
    h('button', { type: 'submit', class: 'btn primary', text: '搜索' }));
  const placeBar = h('div', { class: 'placebar' });
  const body = h('div', { class: 'results', 'aria-live': 'polite' });
  replace(view, pageTitle(q ? `搜索：${q}` : '搜索服务', { visible: false }), form, placeBar, body);

  // Suggestions.
  let options = [];
  let active = -1;
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const choose = (s) => {
    close();
    if (s.kind === 'item' && s.id) ctx.navigate(`/items/${encodeURIComponent(s.id)}`);
    else go({ q: s.text });
  };
  const mark = () => {
    options.forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    if (active >= 0) input.setAttribute('aria-activedescendant', options[active].id);
    else input.removeAttribute('aria-activedescendant');
  };
  const suggest = latest(async (signal, prefix) => {
    if (!prefix) {
      close();
      return;
    }
    try {
      const r = await api(`/api/v1/suggest${qs({ q: prefix, size: 8 })}`, { signal });
      const items = r.suggestions || [];
      options = items.map((s, i) => {
        const li = h('li', { id: `sg-${i}`, role: 'option', class: 'suggestion', 'aria-selected': 'false' },
          h('span', { class: 'sg-text', text: s.text }),
          h('span', { class: 'sg-kind', text: KINDS[s.kind] || '' }));
        li.addEventListener('mousedown', (e) => e.preventDefault());
        li.addEventListener('click', () => choose(s));
        li._suggestion = s;
        return li;
      });
      replace(list, options);
      list.hidden = options.length === 0;
      input.setAttribute('aria-expanded', String(options.length > 0));
      active = -1;
    } catch (e) {
      if (!isAbort(e)) close();
    }
  });
  const debounced = debounce(() => suggest(input.value.trim()), 150);
  input.addEventListener('input', debounced);
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
      choose(options[active]._suggestion);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    close();
    go({ q: input.value.trim() });
  });

  renderPlace(placeBar, () => ctx.navigate(location.pathname + location.search, { replace: true }));

  const browsing = FILTERS.some((f) => filters[f]);
  if (!q && !browsing) {
    if (!ctx.query.has('q')) input.focus();
    await renderStart(body);
    return close;
  }
  if (q) rememberLocally(q);
  replace(body, status('正在搜索…'));
  let r;
  try {
    r = await api(`/api/v1/search${qs({
      q, ...filters, page, size: PAGE_SIZE, correct: exact ? 'false' : undefined, ...placeParams(),
    })}`);
  } catch (e) {
    replace(body, errorBox(e, '搜索失败，请稍后重试'));
    return close;
  }
  if (!ctx.alive()) return close;
  renderResults(body, r, { q, filters, page, exact, go });
  return close;
}

function renderPlace(bar, again) {
  const select = h('select', { id: 'city', class: 'city' },
    h('option', { value: '', text: '选择城市' }),
    CITIES.map((c) => h('option', { value: c.code, text: c.name })));
  const place = getPlace();
  if (place && place.kind === 'city') select.value = place.code;
  const msg = h('span', { class: 'place-msg', role: 'status' });
  const locBtn = h('button', { type: 'button', class: 'btn small', text: '定位' });
  locBtn.addEventListener('click', async () => {
    msg.textContent = '正在定位…';
    try {
      await locate();
      again();
    } catch (e) {
      msg.textContent = e.message;
    }
  });
  select.addEventListener('change', () => {
    const c = CITIES.find((x) => x.code === select.value);
    setPlace(c ? { kind: 'city', code: c.code, name: c.name } : null);
    again();
  });
  replace(bar,
    h('span', { class: 'place-now' }, '我的位置：', h('strong', { text: placeLabel() })),
    h('label', { for: 'city', class: 'sr-only', text: '选择所在城市' }), select, locBtn, msg);
}

async function renderStart(body) {
  const histSlot = h('div', {}, status('正在读取搜索历史…'));
  const hotSlot = h('div');
  replace(body, histSlot, hotSlot);
  const showHistory = async () => {
    let hist;
    try {
      hist = await listHistory();
    } catch (e) {
      replace(histSlot, errorBox(e));
      return;
    }
    if (hist.unavailable) {
      replace(histSlot, section('搜索历史', h('p', { class: 'muted', text: '服务端搜索历史暂未开放' })));
      return;
    }
    const pause = hist.source === 'server' ? h('button', { type: 'button', class: 'btn small ghost', text: hist.paused ? '恢复记录历史' : '暂停记录历史' }) : null;
    pause?.addEventListener('click', async () => {
      try {
        await setHistoryPaused(!hist.paused);
      } catch (e) {
        histSlot.append(errorBox(e));
        return;
      }
      showHistory();
    });
    if (!hist.entries.length) {
      replace(histSlot, section('搜索历史', h('p', { class: 'muted', text: hist.paused ? '已暂停记录搜索历史' : '暂无搜索历史' }), pause));
      return;
    }
    const clear = h('button', { type: 'button', class: 'btn small ghost', text: '清空历史' });
    clear.addEventListener('click', async () => {
      try {
        await deleteHistory(null);
      } catch (e) {
        histSlot.append(errorBox(e));
        return;
      }
      showHistory();
    });
    replace(histSlot, section('搜索历史',
      h('ul', { class: 'chips history' }, hist.entries.slice(0, 20).map((e) => {
        const del = h('button', { type: 'button', class: 'chip-del', 'aria-label': `删除“${e.query}”`, text: '×' });
        del.addEventListener('click', async () => {
          try {
            await deleteHistory(e.id);
          } catch {
            /* the list below shows what is left */
          }
          showHistory();
        });
        return h('li', { class: 'chip-wrap' },
          h('a', { class: 'chip', href: `/search${qs({ q: e.query })}`, text: e.query }), del);
      })),
      h('p', { class: 'muted small', text: loggedIn() ? (hist.paused ? '已暂停记录，以下为此前的历史。' : '已登录：历史保存在您的账户中。') : '未登录：历史仅保存在本机浏览器。' }),
      h('div', { class: 'row-btns' }, clear, pause)));
  };
  await Promise.allSettled([showHistory(), (async () => {
    try {
      const entries = (await api('/api/v1/hot?limit=10')).entries || [];
      if (entries.length) {
        replace(hotSlot, section('热门搜索', h('ol', { class: 'hot' }, entries.map((e) =>
          h('li', {}, h('a', { href: `/search${qs({ q: e.query })}`, text: e.query }))))));
      }
    } catch {
      /* no hot list yet */
    }
  })()]);
}

function renderResults(body, r, { q, filters, page, exact, go }) {
  const parts = [];
  if (r.correction && !exact) {
    parts.push(h('div', { class: 'correction', role: 'note' },
      h('p', {}, '已为您搜索 ', h('strong', { text: `“${r.correction.corrected}”` })),
      h('p', {}, '仍然搜索 ', h('a', { href: `/search${qs({ q: r.correction.original || q, ...filters, correct: 'false' })}`, text: `“${r.correction.original || q}”` }))));
  } else if (exact) {
    parts.push(h('p', { class: 'muted small' }, `已按原词“${q}”搜索。`, h('a', { href: `/search${qs({ q, ...filters })}`, text: '恢复智能纠错' })));
  }
  if (r.location) {
    parts.push(h('p', { class: 'located' }, '按位置排序：', h('strong', { text: r.location.name }),
      `（${SOURCES[r.location.source] || '位置'}）`));
  }
  parts.push(filterBar(r, { q, filters, go }));
  if (r.message) parts.push(h('p', { class: 'notice-msg', role: 'status', text: r.message }));
  parts.push(h('p', { class: 'count', role: 'status', text: `共 ${r.total} 项服务${r.relaxed ? '（部分匹配）' : ''}` }));

  const byCat = new Map();
  for (const hit of r.hits || []) {
    if (!byCat.has(hit.category)) byCat.set(hit.category, []);
    byCat.get(hit.category).push(hit);
  }
  const totals = new Map((r.groups || []).map((g) => [g.category, g.count]));
  for (const [cat, hits] of byCat) {
    parts.push(h('section', { class: 'group', 'aria-label': cat },
      h('h2', { class: 'group-title' }, cat, h('span', { class: 'group-count', text: `${totals.get(cat) ?? hits.length} 项` })),
      h('ul', { class: 'hits' }, hits.map(hitCard))));
  }
  const pages = Math.ceil((r.total || 0) / PAGE_SIZE);
  if (pages > 1) {
    const link = (p, text) => h('a', { class: 'btn small', href: `/search${qs({ q, ...filters, page: p, correct: exact ? 'false' : undefined })}`, text });
    parts.push(h('nav', { class: 'pager', 'aria-label': '分页' },
      page > 1 ? link(page - 1, '上一页') : null,
      h('span', { text: `第 ${page} / ${pages} 页` }),
      page < pages ? link(page + 1, '下一页') : null));
  }
  replace(body, parts);
}

function filterBar(r, { q, filters, go }) {
  const cats = (r.facets && r.facets.category) || [];
  const types = (r.facets && r.facets.service_type) || [];
  const tabs = h('ul', { class: 'tabs', 'aria-label': '按分类筛选' },
    h('li', {}, h('a', { href: `/search${qs({ q, ...filters, category: '', theme: '' })}`, 'aria-current': filters.category ? null : 'true', text: '全部' })),
    (r.groups || []).map((g) => h('li', {}, h('a', {
      href: `/search${qs({ q, ...filters, category: g.category, theme: '' })}`,
      'aria-current': filters.category === g.category ? 'true' : null,
      text: `${g.category} ${g.count}`,
    }))));
  if (filters.category && !(r.groups || []).some((g) => g.category === filters.category)) {
    tabs.append(h('li', {}, h('a', { href: location.pathname + location.search, 'aria-current': 'true', text: filters.category })));
  }
  const typeSel = h('select', { id: 'f-type' }, h('option', { value: '', text: '全部类型' }),
    types.map((t) => h('option', { value: t.value, text: `${t.label || t.value}（${t.count}）` })));
  if (filters.service_type && !types.some((t) => t.value === filters.service_type)) {
    typeSel.append(h('option', { value: filters.service_type, text: filters.service_type }));
  }
  typeSel.value = filters.service_type;
  const onlineSel = h('select', { id: 'f-online' },
    h('option', { value: '', text: '办理方式不限' }),
    h('option', { value: 'true', text: '可网上办' }),
    h('option', { value: 'false', text: '仅线下办' }));
  onlineSel.value = filters.online;
  const apply = () => go({ q, ...filters, service_type: typeSel.value, online: onlineSel.value });
  typeSel.addEventListener('change', apply);
  onlineSel.addEventListener('change', apply);
  return h('div', { class: 'filters' },
    tabs,
    filters.theme ? h('p', { class: 'muted small' }, `主题：${filters.theme} · `, h('a', { href: `/search${qs({ q, ...filters, theme: '' })}`, text: '取消' })) : null,
    h('div', { class: 'selects' },
      h('label', { for: 'f-type', class: 'sr-only', text: '事项类型' }), typeSel,
      h('label', { for: 'f-online', class: 'sr-only', text: '办理方式' }), onlineSel));
}

function hitCard(hit) {
  const badges = [];
  if (hit.service_type) badges.push(h('span', { class: 'tag', text: hit.service_type }));
  if (hit.online) badges.push(h('span', { class: 'tag ok', text: '可网办' }));
  const variants = hit.variants || [];
  return h('li', { class: 'hit' },
    h('a', { class: 'hit-title', href: `/items/${encodeURIComponent(hit.id)}` }, highlighted(hit.title_highlight || hit.title)),
    h('p', { class: 'hit-meta' }, badges, h('span', { text: `${hit.department} · ${hit.region_name}` })),
    variants.length > 1
      ? h('details', { class: 'variants' },
        h('summary', { text: `${hit.variant_count || variants.length} 个地区可办` }),
        h('ul', { class: 'variant-list' }, variants.map((v) =>
          h('li', {}, h('a', { href: `/items/${encodeURIComponent(v.id)}`, text: v.region_name })))))
      : null);
}
