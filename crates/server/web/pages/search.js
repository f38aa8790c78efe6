// 搜索: suggestions while typing (debounced, superseded requests aborted),
// history and hot searches, results grouped by category with filters, the
// correction notice, and the location used.

import { api, loggedIn, qs } from '../api.js';
import { errorBox, h, highlighted, pageTitle, replace, section, status } from '../dom.js';
import { deleteHistory, listHistory, rememberLocally, setHistoryPaused } from '../history.js';
import { t } from '../i18n.js';
import { CITIES, cityName, getPlace, locate, placeLabel, placeParams, setPlace } from '../place.js';
import { attachSuggestions, matchShortcuts } from '../suggest.js';

const FILTERS = ['category', 'theme', 'service_type', 'online'];
const SOURCES = { query: 'web-search-source-query', position: 'web-search-source-position', explicit: 'web-search-source-explicit' };
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
    enterkeyhint: 'search', placeholder: t('web-search-placeholder'),
  });
  const combo = h('div', { class: 'combo' }, input);
  const form = h('form', { class: 'searchbar', role: 'search', action: '/search' },
    h('label', { for: 'q', class: 'sr-only', text: t('web-search-label') }),
    combo,
    h('button', { type: 'submit', class: 'btn primary', text: t('web-search-submit') }));
  const placeBar = h('div', { class: 'placebar' });
  const shortcutSlot = h('div');
  const body = h('div', { class: 'results', 'aria-live': 'polite' });
  replace(view, pageTitle(q ? t('web-search-title-q', { q }) : t('web-search-title'), { visible: false }), form, placeBar, shortcutSlot, body);

  const close = attachSuggestions(input, combo, {
    id: 'suggestions',
    onChoose: (s) => {
      if (s.kind === 'shortcut') ctx.navigate(s.href);
      else if (s.kind === 'item' && s.id) ctx.navigate(`/items/${encodeURIComponent(s.id)}`);
      else go({ q: s.text });
    },
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    close();
    go({ q: input.value.trim() });
  });
  // 长辈版 / 关怀版 …: the setting itself, above the results.
  matchShortcuts(q).then((found) => {
    if (!found.length || !ctx.alive()) return;
    replace(shortcutSlot, found.map((sc) => h('aside', { class: 'card shortcut-card', 'aria-label': t('web-suggest-kind-setting') },
      h('p', { class: 'row-title', text: t(sc.title) }),
      h('a', { class: 'btn primary', href: sc.href, text: t('web-shortcut-open') }))));
  });

  renderPlace(placeBar, () => ctx.navigate(location.pathname + location.search, { replace: true }));

  const browsing = FILTERS.some((f) => filters[f]);
  if (!q && !browsing) {
    if (!ctx.query.has('q')) input.focus();
    await renderStart(body);
    return close;
  }
  if (q) rememberLocally(q);
  replace(body, status(t('web-search-searching')));
  let r;
  try {
    r = await api(`/api/v1/search${qs({
      q, ...filters, page, size: PAGE_SIZE, correct: exact ? 'false' : undefined, ...placeParams(),
    })}`);
  } catch (e) {
    replace(body, errorBox(e, t('web-search-failed')));
    return close;
  }
  if (!ctx.alive()) return close;
  renderResults(body, r, { q, filters, page, exact, go });
  return close;
}

function renderPlace(bar, again) {
  const select = h('select', { id: 'city', class: 'city' },
    h('option', { value: '', text: t('web-place-choose') }),
    CITIES.map((c) => h('option', { value: c.code, text: cityName(c.code) })));
  const place = getPlace();
  if (place && place.kind === 'city') select.value = place.code;
  const msg = h('span', { class: 'place-msg', role: 'status' });
  const locBtn = h('button', { type: 'button', class: 'btn small', text: t('web-place-locate') });
  locBtn.addEventListener('click', async () => {
    msg.textContent = t('web-place-locating');
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
    h('span', { class: 'place-now' }, t('web-place-mine'), h('strong', { text: placeLabel() })),
    h('label', { for: 'city', class: 'sr-only', text: t('web-place-choose-label') }), select, locBtn, msg);
}

async function renderStart(body) {
  const histSlot = h('div', {}, status(t('web-history-loading')));
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
    const pause = hist.source === 'server' ? h('button', { type: 'button', class: 'btn small ghost', text: hist.paused ? t('web-history-resume') : t('web-history-pause') }) : null;
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
      replace(histSlot, section(t('web-history-title'), h('p', { class: 'muted', text: hist.paused ? t('web-history-paused') : t('web-history-empty') }), pause));
      return;
    }
    const clear = h('button', { type: 'button', class: 'btn small ghost', text: t('web-history-clear') });
    clear.addEventListener('click', async () => {
      try {
        await deleteHistory(null);
      } catch (e) {
        histSlot.append(errorBox(e));
        return;
      }
      showHistory();
    });
    replace(histSlot, section(t('web-history-title'),
      h('ul', { class: 'chips history' }, hist.entries.slice(0, 20).map((e) => {
        const del = h('button', { type: 'button', class: 'chip-del', 'aria-label': t('web-history-delete', { q: e.query }), text: '×' });
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
      h('p', { class: 'muted small', text: loggedIn() ? (hist.paused ? t('web-history-paused-note') : t('web-history-account-note')) : t('web-history-local-note') }),
      h('div', { class: 'row-btns' }, clear, pause)));
  };
  await Promise.allSettled([showHistory(), (async () => {
    try {
      const entries = (await api('/api/v1/hot?limit=10&curated=true')).entries || [];
      if (entries.length) {
        replace(hotSlot, section(t('web-hot-title'), h('ol', { class: 'hot' }, entries.map((e) =>
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
      h('p', {}, t('web-search-corrected'), h('strong', { text: `“${r.correction.corrected}”` })),
      h('p', {}, t('web-search-still'), h('a', { href: `/search${qs({ q: r.correction.original || q, ...filters, correct: 'false' })}`, text: `“${r.correction.original || q}”` }))));
  } else if (exact) {
    parts.push(h('p', { class: 'muted small' }, t('web-search-exact', { q }), h('a', { href: `/search${qs({ q, ...filters })}`, text: t('web-search-restore-correction') })));
  }
  if (r.location) {
    parts.push(h('p', { class: 'located' }, t('web-search-located'), h('strong', { text: r.location.name }),
      t('web-search-located-source', { source: t(SOURCES[r.location.source] || 'web-search-source-other') })));
  }
  parts.push(filterBar(r, { q, filters, go }));
  if (r.message) parts.push(h('p', { class: 'notice-msg', role: 'status', text: r.message }));
  parts.push(h('p', { class: 'count', role: 'status', text: r.relaxed ? t('web-search-count-relaxed', { count: r.total }) : t('web-search-count', { count: r.total }) }));

  const byCat = new Map();
  for (const hit of r.hits || []) {
    if (!byCat.has(hit.category)) byCat.set(hit.category, []);
    byCat.get(hit.category).push(hit);
  }
  const totals = new Map((r.groups || []).map((g) => [g.category, g.count]));
  for (const [cat, hits] of byCat) {
    parts.push(h('section', { class: 'group', 'aria-label': cat },
      h('h2', { class: 'group-title' }, cat, h('span', { class: 'group-count', text: t('web-count-items', { count: totals.get(cat) ?? hits.length }) })),
      h('ul', { class: 'hits' }, hits.map(hitCard))));
  }
  const pages = Math.ceil((r.total || 0) / PAGE_SIZE);
  if (pages > 1) {
    const link = (p, text) => h('a', { class: 'btn small', href: `/search${qs({ q, ...filters, page: p, correct: exact ? 'false' : undefined })}`, text });
    parts.push(h('nav', { class: 'pager', 'aria-label': t('web-pager-label') },
      page > 1 ? link(page - 1, t('web-pager-prev')) : null,
      h('span', { text: t('web-pager-page', { page, pages }) }),
      page < pages ? link(page + 1, t('web-pager-next')) : null));
  }
  replace(body, parts);
}

function filterBar(r, { q, filters, go }) {
  const cats = (r.facets && r.facets.category) || [];
  const types = (r.facets && r.facets.service_type) || [];
  const tabs = h('ul', { class: 'tabs', 'aria-label': t('web-filter-category-label') },
    h('li', {}, h('a', { href: `/search${qs({ q, ...filters, category: '', theme: '' })}`, 'aria-current': filters.category ? null : 'true', text: t('web-filter-all') })),
    (r.groups || []).map((g) => h('li', {}, h('a', {
      href: `/search${qs({ q, ...filters, category: g.category, theme: '' })}`,
      'aria-current': filters.category === g.category ? 'true' : null,
      text: `${g.category} ${g.count}`,
    }))));
  if (filters.category && !(r.groups || []).some((g) => g.category === filters.category)) {
    tabs.append(h('li', {}, h('a', { href: location.pathname + location.search, 'aria-current': 'true', text: filters.category })));
  }
  const typeSel = h('select', { id: 'f-type' }, h('option', { value: '', text: t('web-filter-all-types') }),
    types.map((ty) => h('option', { value: ty.value, text: t('web-filter-type-option', { type: ty.label || ty.value, count: ty.count }) })));
  if (filters.service_type && !types.some((t) => t.value === filters.service_type)) {
    typeSel.append(h('option', { value: filters.service_type, text: filters.service_type }));
  }
  typeSel.value = filters.service_type;
  const onlineSel = h('select', { id: 'f-online' },
    h('option', { value: '', text: t('web-filter-any-way') }),
    h('option', { value: 'true', text: t('web-filter-online') }),
    h('option', { value: 'false', text: t('web-filter-offline') }));
  onlineSel.value = filters.online;
  const apply = () => go({ q, ...filters, service_type: typeSel.value, online: onlineSel.value });
  typeSel.addEventListener('change', apply);
  onlineSel.addEventListener('change', apply);
  return h('div', { class: 'filters' },
    tabs,
    filters.theme ? h('p', { class: 'muted small' }, t('web-filter-theme', { theme: filters.theme }), h('a', { href: `/search${qs({ q, ...filters, theme: '' })}`, text: t('web-filter-cancel') })) : null,
    h('div', { class: 'selects' },
      h('label', { for: 'f-type', class: 'sr-only', text: t('web-filter-type-label') }), typeSel,
      h('label', { for: 'f-online', class: 'sr-only', text: t('web-filter-way-label') }), onlineSel));
}

function hitCard(hit) {
  const badges = [];
  if (hit.service_type) badges.push(h('span', { class: 'tag', text: hit.service_type }));
  if (hit.online) badges.push(h('span', { class: 'tag ok', text: t('web-hit-online') }));
  const variants = hit.variants || [];
  return h('li', { class: 'hit' },
    h('a', { class: 'hit-title', href: `/items/${encodeURIComponent(hit.id)}` }, highlighted(hit.title_highlight || hit.title)),
    h('p', { class: 'hit-meta' }, badges, h('span', { text: `${hit.department} · ${hit.region_name}` })),
    variants.length > 1
      ? h('details', { class: 'variants' },
        h('summary', { text: t('web-hit-variants', { count: hit.variant_count || variants.length }) }),
        h('ul', { class: 'variant-list' }, variants.map((v) =>
          h('li', {}, h('a', { href: `/items/${encodeURIComponent(v.id)}`, text: v.region_name })))))
      : null);
}
