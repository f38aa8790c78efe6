// 查询: a 查询 item's records page — the kind's filters as typed inputs,
// the key figures (summary) on top, the rows below as a table that turns
// into labelled cards on a phone, the total and paging. The filters and
// page are kept in the address (a reload or a shared link shows the same).
// Public kinds (天气, 公证书 …) need no login; a personal kind asks to log
// in, and says which level it needs.

import { api, latest, isAbort, loggedIn, qs } from '../api.js';
import { h, replace, status } from '../dom.js';
import { t } from '../i18n.js';
import { departmentProblem, formatValue, loginHref } from '../records.js';
import { levelLabel } from './me.js';

const NUMERIC = new Set(['money', 'number', 'points']);

/** Draws the records page of `item` (its record kind `kind`) into `view`. */
export function renderQuery(view, ctx, item, kind, heading) {
  heading.textContent = item.title;
  document.title = t('web-doc-title', { page: item.title });
  const personal = kind.scope === 'personal';
  const values = {};
  for (const f of kind.filters || []) values[f.name] = ctx.query.get(f.name) || '';
  let page = Math.max(1, Number.parseInt(ctx.query.get('page') || '1', 10) || 1);

  const figuresSlot = h('div', { id: 'records-summary' });
  const resultSlot = h('div', { id: 'records-result', 'aria-live': 'polite' });
  const form = kind.filters && kind.filters.length ? filterForm(kind, values, () => {
    page = 1;
    run();
  }) : null;

  const fetchPage = latest((signal, params) => api(`/api/v1/me/records${qs(params)}`, { signal }));

  const keepInAddress = () => {
    const params = { ...values, page: page > 1 ? page : undefined };
    history.replaceState(null, '', `${location.pathname}${qs(params)}`);
  };

  const run = async () => {
    keepInAddress();
    const missing = (kind.filters || []).find((f) => f.required && !values[f.name]);
    if (missing) {
      replace(figuresSlot);
      replace(resultSlot, h('p', { class: 'muted card', id: 'records-fill-first' }, t('web-records-fill-first'), h('span', { class: 'data', text: missing.label })));
      return;
    }
    replace(resultSlot, status(t('web-records-loading', { department: item.department })));
    let r;
    try {
      r = await fetchPage({ item: item.id, ...values, page, size: kind.page_size });
    } catch (e) {
      if (isAbort(e) || !ctx.alive()) return;
      replace(figuresSlot);
      replace(resultSlot, departmentProblem(e, { retry: run }));
      if (form && e.problem && e.problem.parameter) markInvalid(form, e.problem.parameter);
      return;
    }
    if (!ctx.alive()) return;
    if (form) markInvalid(form, null);
    replace(figuresSlot, summary(r));
    replace(resultSlot, table(r, kind, async (p) => {
      page = p;
      await run();
      // The pressed button is gone with the old page: focus goes to the table's heading.
      resultSlot.querySelector('h2')?.focus();
    }));
  };

  const needsLogin = personal && !loggedIn();
  replace(view,
    h('nav', { class: 'crumbs', 'aria-label': t('web-item-crumbs') },
      h('a', { href: `/search${qs({ category: item.category })}`, text: item.category }), ' › ',
      h('a', { href: `/search${qs({ category: item.category, theme: item.theme })}`, text: item.theme })),
    heading,
    h('p', { class: 'muted small records-scope' },
      personal ? t('web-records-personal', { level: levelLabel(kind.level) }) : t('web-records-public'),
      t('web-records-source'), h('span', { class: 'data', text: item.department })),
    needsLogin
      ? h('div', { class: 'card', id: 'records-login' },
        h('p', { text: t('web-records-login-first', { level: levelLabel(kind.level) }) }),
        h('a', { class: 'btn primary', href: loginHref(), text: t('web-records-login') }))
      : [figuresSlot, form, resultSlot],
    about(item));
  if (!needsLogin) run();
}

function about(item) {
  return h('details', { class: 'card records-about' },
    h('summary', { text: t('web-item-essentials') }),
    item.description ? h('p', { class: 'data', text: item.description }) : null,
    h('dl', { class: 'facts' },
      h('dt', { text: t('web-item-department') }), h('dd', { text: item.department })),
    item.url ? h('p', { class: 'muted small' }, t('web-item-official'), h('a', { href: item.url, rel: 'noopener noreferrer', target: '_blank', text: item.url })) : null);
}

/** The filters as typed inputs; `values` is filled on submit. */
function filterForm(kind, values, submit) {
  const year = new Date().getFullYear();
  const fields = kind.filters.map((f) => {
    const id = `f-${f.name}`;
    const required = f.required ? h('span', { class: 'req', text: t('web-records-required') }) : null;
    if (f.type === 'month_range' || f.type === 'date_range') {
      const type = f.type === 'month_range' ? 'month' : 'date';
      const [from, to] = (values[f.name] || '').split('/');
      return h('fieldset', { class: 'field range', 'data-filter': f.name },
        h('legend', {}, h('span', { class: 'data', text: f.label }), required),
        h('div', { class: 'range-inputs' },
          h('label', { for: `${id}-from`, text: t('web-records-from') }),
          h('input', { id: `${id}-from`, type, name: `${f.name}-from`, value: from || null }),
          h('label', { for: `${id}-to`, text: t('web-records-to') }),
          h('input', { id: `${id}-to`, type, name: `${f.name}-to`, value: to || null })),
        f.max_span_months ? h('p', { class: 'muted small', text: t('web-records-span', { months: f.max_span_months }) }) : null);
    }
    let input;
    if (f.type === 'choice') {
      input = h('select', { id, name: f.name, required: f.required },
        f.required ? null : h('option', { value: '', text: t('web-records-any') }),
        (f.options || []).map((o) => h('option', { value: o, text: o, selected: values[f.name] === o })));
    } else if (f.type === 'year') {
      input = h('input', { id, name: f.name, type: 'number', inputmode: 'numeric', min: '1950', max: String(year + 1), step: '1', required: f.required, value: values[f.name] || null });
    } else if (f.type === 'plate') {
      input = h('input', { id, name: f.name, type: 'text', maxlength: '8', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', required: f.required, placeholder: t('web-records-plate-example'), value: values[f.name] || null });
    } else {
      input = h('input', { id, name: f.name, type: 'text', maxlength: '64', autocomplete: 'off', required: f.required, value: values[f.name] || null });
    }
    return h('div', { class: 'field', 'data-filter': f.name }, h('label', { for: id }, h('span', { class: 'data', text: f.label }), required), input);
  });
  const reset = h('button', { type: 'button', class: 'btn ghost', text: t('web-records-reset') });
  const form = h('form', { class: 'card form records-filters', 'aria-label': t('web-records-filters') },
    fields,
    h('div', { class: 'row-btns' }, h('button', { type: 'submit', class: 'btn primary', text: t('web-records-search') }), reset));
  const read = () => {
    for (const f of kind.filters) {
      if (f.type === 'month_range' || f.type === 'date_range') {
        const from = form.querySelector(`#f-${f.name}-from`).value.trim();
        const to = form.querySelector(`#f-${f.name}-to`).value.trim();
        values[f.name] = from || to ? `${from}/${to}` : '';
      } else {
        const v = form.querySelector(`#f-${f.name}`).value.trim();
        values[f.name] = f.type === 'plate' ? v.toUpperCase() : v;
      }
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    read();
    submit();
  });
  reset.addEventListener('click', () => {
    form.reset();
    for (const el of form.querySelectorAll('input')) el.value = '';
    for (const el of form.querySelectorAll('select')) el.selectedIndex = 0;
    read();
    submit();
  });
  return form;
}

/** Marks the filter the daemon refused (or none) and moves focus to it. */
function markInvalid(form, name) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (!name) return;
  const box = form.querySelector(`[data-filter="${CSS.escape(name)}"]`);
  const input = box && box.querySelector('input, select');
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

/** The key figures above the table. */
function summary(r) {
  const labels = (r.summary_labels || []).filter((s) => r.summary && s.name in r.summary);
  if (!labels.length) return null;
  return h('section', { class: 'card key-figures', 'aria-labelledby': 'kf-h' },
    h('h2', { id: 'kf-h', text: t('web-records-summary') }),
    h('dl', { class: 'kf' }, labels.map((s) => h('div', { class: `kf-item${s.type === 'text' ? ' kf-text' : ''}`, 'data-name': s.name },
      h('dt', { text: s.label }),
      h('dd', { text: formatValue(s.type, r.summary[s.name]) })))));
}

/** The rows as a table (cards on a phone), the total and the pager. */
function table(r, kind, go) {
  const columns = r.columns || [];
  const rows = r.rows || [];
  const size = r.size || kind.page_size || 10;
  const pages = Math.max(1, Math.ceil((r.total || 0) / size));
  const head = h('h2', { id: 'rec-h', tabindex: '-1', text: r.title });
  const count = h('p', { class: 'count', id: 'records-total', text: t('web-records-total', { total: r.total || 0 }) });
  const body = rows.length
    // Explicit roles: the phone layout restyles the cells, the table stays a table.
    ? h('table', { class: 'records', role: 'table', 'aria-labelledby': 'rec-h' },
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, columns.map((c) => h('th', { scope: 'col', role: 'columnheader', class: NUMERIC.has(c.type) ? 'num' : null, text: c.label })))),
      h('tbody', { role: 'rowgroup' }, rows.map((row) => h('tr', { role: 'row' }, columns.map((c) => {
        const text = formatValue(c.type, row[c.name]);
        return h('td', { role: 'cell', class: NUMERIC.has(c.type) ? 'num' : null, 'data-label': c.label },
          c.type === 'status' && text !== '—' ? h('span', { class: 'tag', text }) : text);
      })))))
    : h('p', { class: `muted empty${r.empty_text ? ' data' : ''}`, text: r.empty_text || t('web-records-empty') });
  let pager = null;
  if (pages > 1 || r.page > 1) {
    const btn = (p, text) => {
      const b = h('button', { type: 'button', class: 'btn small', text });
      b.addEventListener('click', () => go(p));
      return b;
    };
    pager = h('nav', { class: 'pager', 'aria-label': t('web-pager-label') },
      r.page > 1 ? btn(Math.min(r.page - 1, pages), t('web-pager-prev')) : null,
      h('span', { text: t('web-pager-page', { page: r.page, pages }) }),
      r.page < pages ? btn(r.page + 1, t('web-pager-next')) : null);
  }
  return h('section', { class: 'card records-card', 'aria-labelledby': 'rec-h' },
    head, count, body, pager,
    r.note ? h('p', { class: 'muted small records-note data', text: r.note }) : null);
}
