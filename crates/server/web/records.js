// 查询 and 证明, the shared parts: values shown by their type (money is
// integer fen, shown as yuan), a department's problem as the person reads
// it (log in, the level needed, when to retry), and the key figures the
// home page and 个人中心 show where 常用服务 would be — each figure asked
// for on its own, so one slow or failing department never holds the others.

import { api, ApiError, loggedIn, qs } from './api.js';
import { errorBox, h, replace, section } from './dom.js';
import { lang, t } from './i18n.js';
import { CITIES, getPlace } from './place.js';
import { levelLabel } from './pages/me.js';

/** A number in the reader's language (grouped digits). */
function number(value, digits = 0) {
  try {
    return new Intl.NumberFormat(lang(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  } catch {
    return digits ? value.toFixed(digits) : String(value);
  }
}

/** Integer fen as yuan with two decimals (12,345.67). */
export function yuan(fen) {
  return number(fen / 100, 2);
}

/** A value of a column or key figure of `type`, as text (— when unknown). */
export function formatValue(type, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'number') {
    if (type === 'money') return yuan(value);
    if (type === 'number' || type === 'points') return number(value);
  }
  return String(value);
}

/** The seconds of a problem's `retry_after` as a sentence (when to try again). */
export function retryText(seconds) {
  const s = Number(seconds);
  if (!Number.isFinite(s) || s <= 0) return t('web-dept-retry-later');
  if (s < 90) return t('web-dept-retry-seconds', { seconds: Math.ceil(s) });
  const at = new Date(Date.now() + s * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return t('web-dept-retry-minutes', { minutes: Math.ceil(s / 60), time: `${p(at.getHours())}:${p(at.getMinutes())}` });
}

/** Where to log in (or step up) and come back to this page. */
export function loginHref() {
  return `/me${qs({ next: location.pathname + location.search })}`;
}

/**
 * A failed department call as the person reads it: a login for 401, the
 * level needed for step-up-required, the daemon's words and when to try
 * again for department-unavailable (with a 重试 button when `retry` is
 * given), the daemon's words otherwise.
 */
export function departmentProblem(e, { retry, action } = {}) {
  if (!(e instanceof ApiError)) return errorBox(e);
  const p = e.problem || {};
  const kind = String(p.type || '').split('/').pop();
  if (e.status === 401) {
    return h('div', { class: 'note dept-note', role: 'alert' },
      h('p', { text: t('web-records-login-needed') }),
      h('a', { class: 'btn primary', href: loginHref(), text: t('web-records-login') }));
  }
  if (kind === 'step-up-required' || (e.status === 403 && p.level)) {
    return h('div', { class: 'note dept-note', role: 'alert' },
      h('p', { text: t(action === 'issue' ? 'web-cert-needs-level' : 'web-records-needs-level', { level: levelLabel(p.level) }) }),
      h('a', { class: 'btn', href: loginHref(), text: t('web-item-step-up') }));
  }
  const again = retry ? h('button', { type: 'button', class: 'btn small', text: t('web-dept-retry') }) : null;
  again?.addEventListener('click', retry);
  if (kind === 'department-unavailable' || e.status === 503) {
    return h('div', { class: 'error dept-down', role: 'alert' },
      h('p', { text: e.message }),
      h('p', { class: 'small', text: retryText(p.retry_after) }),
      again);
  }
  return h('div', { class: 'error', role: 'alert' }, h('p', { text: e.message }), e.status >= 500 ? again : null);
}

// The key figures: a record kind whose summary holds the figure
// (data/records/services.json), the item that asks for it, and how it reads.
// `region: 'city'` items exist per city (the person's city is used);
// others name their province-wide item.
const FIGURES = [
  { id: 'housing-fund', family: 'gjj-jccx', region: 'city', summary: 'balance', label: 'web-figure-housing-fund', unit: 'web-figure-money' },
  { id: 'social-insurance', family: 'sb-ylcx', region: 'city', summary: 'months', label: 'web-figure-social-months', unit: 'web-figure-months' },
  { id: 'driving-points', family: 'xsjs-jfcx', region: '440000', summary: 'points', label: 'web-figure-driving-points', unit: 'web-figure-points' },
];

/** The person's city: the one picked, the nearest to their position, or the one of their ID number. */
async function personCity(profile) {
  const place = getPlace();
  if (place && place.kind === 'city' && CITIES.some((c) => c.code === place.code)) return place.code;
  if (place && place.kind === 'position') {
    const d = (c) => (c.lat - place.lat) ** 2 + (c.lng - place.lng) ** 2;
    return CITIES.reduce((a, b) => (d(b) < d(a) ? b : a)).code;
  }
  let p = profile;
  if (!p) {
    try {
      p = await api('/api/v1/me/profile');
    } catch {
      p = null;
    }
  }
  const prefix = p && typeof p.id_number === 'string' ? `${p.id_number.slice(0, 4)}00` : '';
  return CITIES.some((c) => c.code === prefix) ? prefix : '440100';
}

/**
 * Fills `slot` with the logged-in person's key figures (nothing when
 * logged out). Every figure is its own request with its own loading and
 * error state; none waits for another. Returns a function that abandons
 * the requests still running.
 */
export function keyFigures(slot, { profile } = {}) {
  if (!loggedIn()) {
    replace(slot);
    return () => {};
  }
  const controller = new AbortController();
  const list = h('ul', { class: 'figures' });
  replace(slot, section(t('web-figures-title'), list));
  const city = personCity(profile);
  for (const f of FIGURES) {
    const li = h('li', { class: 'figure', 'data-figure': f.id });
    list.append(li);
    const load = async () => {
      li.setAttribute('aria-busy', 'true');
      const code = f.region === 'city' ? await city : f.region;
      const item = `${f.family}-${code}`;
      const where = f.region === 'city' ? t(`web-city-${code}`) : t('web-figure-province');
      const link = (value, cls) => h('a', { class: `figure-link${cls ? ` ${cls}` : ''}`, href: `/items/${encodeURIComponent(item)}` },
        h('span', { class: 'figure-label', text: t(f.label) }),
        h('span', { class: 'figure-value', text: value }),
        h('span', { class: 'figure-where', text: where }));
      replace(li, link(t('web-figure-loading'), 'loading'));
      try {
        const r = await api(`/api/v1/me/records${qs({ item, size: 1 })}`, { signal: controller.signal });
        const value = r.summary ? r.summary[f.summary] : undefined;
        const shown = typeof value === 'number'
          ? t(f.unit, { value: f.unit === 'web-figure-money' ? yuan(value) : number(value) })
          : t('web-figure-none');
        replace(li, link(shown));
      } catch (e) {
        if (e && e.name === 'AbortError') return;
        const p = (e instanceof ApiError && e.problem) || {};
        const kind = String(p.type || '').split('/').pop();
        let why = t('web-figure-failed');
        if (kind === 'step-up-required' || (e instanceof ApiError && e.status === 403 && p.level)) why = t('web-figure-needs-level', { level: levelLabel(p.level) });
        else if (kind === 'department-unavailable' || (e instanceof ApiError && e.status === 503)) why = t('web-figure-unavailable');
        const again = h('button', { type: 'button', class: 'btn small figure-retry', 'aria-label': t('web-figure-retry-label', { figure: t(f.label) }), text: t('web-dept-retry') });
        again.addEventListener('click', load);
        replace(li, link(why, 'failed'),
          kind === 'department-unavailable' ? h('span', { class: 'figure-when small', text: retryText(p.retry_after) }) : null,
          again);
      } finally {
        li.removeAttribute('aria-busy');
      }
    };
    load();
  }
  return () => controller.abort();
}
