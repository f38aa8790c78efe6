// 缴费: the person's bills from the departments (amounts in 元 from whole
// fen, due dates, statuses) and top-up offers (燃气, 粤通卡). Paying creates
// a payment with an Idempotency-Key (one key per bill on this page, so a
// retry after a lost answer is the same payment) and goes to the provider's
// page (`pay_url`); the provider sends the person back to the result page
// (/me/payments/{id}). A bill another tab or device is paying is refused by
// the daemon (409) and the page says so in the reader's language.

import { api, ApiError, loggedIn, qs } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status } from '../dom.js';
import { t } from '../i18n.js';
import { loginBox, newKey } from './booking.js';
import { levelLabel } from './me.js';

/** The service type of 缴费 items, as the catalogue writes it. */
export const PAYMENT_TYPE = '\u7f34\u8d39'; // 缴费

/** Whole fen as yuan with two decimals (12850 → 128.50), without floating point. */
export function yuan(fen) {
  const n = Number(fen);
  if (!Number.isSafeInteger(n)) return '';
  const a = Math.abs(n);
  return `${n < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** An amount of money in fen, as the reader writes it (128.50 元). */
export function money(fen) {
  return t('web-money', { amount: yuan(fen) });
}

/** Yuan typed by the person (`50`, `50.5`, `50.05`) as whole fen, or null. */
export function parseYuan(text) {
  const m = String(text).trim().match(/^(\d{1,6})(?:\.(\d{1,2}))?$/);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

/** Leaves the app for the provider's page (only an http(s) address). */
export function goPay(payment, ctx) {
  let url = null;
  try {
    url = payment.pay_url ? new URL(payment.pay_url, location.href) : null;
  } catch {
    url = null;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && ['created', 'paying'].includes(payment.status)) {
    location.assign(url.href);
  } else {
    ctx.navigate(`/me/payments/${encodeURIComponent(payment.id)}`);
  }
}

/** Renders the bills page into `view`. */
export async function render(view, ctx) {
  const heading = pageTitle(t('web-bills-title'));
  if (!loggedIn()) {
    replace(view, heading, loginBox('web-bills-login-first'));
    return;
  }
  const itemId = ctx.query.get('item_id') || undefined;
  const notice = h('div', { role: 'status', 'aria-live': 'polite', id: 'pay-notice' });
  const body = h('div', {}, status(t('web-bills-loading')));
  // One key per bill (and per top-up amount) while the page lives.
  const keys = new Map();

  const load = async () => {
    let r;
    try {
      r = await api(`/api/v1/me/bills${qs({ item_id: itemId })}`);
    } catch (e) {
      if (!ctx.alive()) return;
      if (e instanceof ApiError && e.problem.level) {
        replace(body, h('p', { class: 'error', role: 'alert' }, t('web-bills-needs-level', { level: levelLabel(e.problem.level) }), ' ',
          h('a', { href: `/me${qs({ next: location.pathname + location.search })}`, text: t('web-item-step-up') })));
      } else {
        replace(body, errorBox(e));
      }
      return;
    }
    if (!ctx.alive()) return;
    const bills = r.bills || [];
    const topUps = r.top_ups || [];
    replace(body,
      (r.unavailable || []).length ? h('p', { class: 'warn', role: 'note', text: t('web-bills-unavailable', { count: r.unavailable.length }) }) : null,
      bills.length
        ? h('ul', { class: 'bills' }, bills.map((b) => billCard(b)))
        : h('p', { class: 'muted card', text: t('web-bills-empty') }),
      topUps.length ? section(t('web-topup-title'), h('ul', { class: 'bills' }, topUps.map((o) => topUpCard(o)))) : null);
  };

  async function create(target, key, btn, msg, what) {
    if (btn.disabled) return;
    btn.disabled = true;
    replace(msg, status(t('web-pay-creating')));
    try {
      const p = await api('/api/v1/me/payments', { method: 'POST', body: target, headers: { 'Idempotency-Key': key } });
      if (!ctx.alive()) return;
      goPay(p, ctx);
    } catch (e) {
      btn.disabled = false;
      if (!ctx.alive()) return;
      if (!(e instanceof ApiError)) {
        replace(msg, h('p', { class: 'error', role: 'alert', text: t('web-pay-network') }));
        return;
      }
      if (e.problem.level) {
        replace(msg, h('p', { class: 'error', role: 'alert' }, t('web-bills-needs-level', { level: levelLabel(e.problem.level) }), ' ',
          h('a', { href: `/me${qs({ next: location.pathname + location.search })}`, text: t('web-item-step-up') })));
        return;
      }
      if (e.status === 409) {
        // Paid or being paid elsewhere (another tab, another device): say
        // so at the top and show the bills as they are now.
        replace(notice, h('div', { class: 'error', role: 'alert' },
          h('p', { text: t('web-pay-refused', { what, reason: e.message }) }),
          h('p', {}, h('a', { href: '/me/payments', text: t('web-payments-title') }))));
        await load();
        notice.scrollIntoView({ block: 'nearest' });
        return;
      }
      replace(msg, errorBox(e));
    }
  }

  function billCard(b) {
    const msg = h('div', { role: 'status' });
    let action = null;
    if (b.status === 'unpaid') {
      action = h('button', { type: 'button', class: 'btn primary', 'data-pay': b.id, text: t('web-bill-pay', { amount: money(b.amount_fen) }) });
      action.addEventListener('click', () => {
        if (!keys.has(b.id)) keys.set(b.id, newKey());
        create({ bill_id: b.id }, keys.get(b.id), action, msg, b.title);
      });
    } else if (b.payment_id) {
      action = h('a', { class: 'btn', href: `/me/payments/${encodeURIComponent(b.payment_id)}`,
        text: b.status === 'paying' ? t('web-bill-see-paying') : t('web-bill-see-payment') });
    } else if (b.status === 'expired') {
      action = h('p', { class: 'muted small', text: t('web-bill-expired-note') });
    }
    return h('li', { class: 'card bill', 'data-bill': b.id },
      h('p', { class: 'bill-head' }, h('strong', { class: 'bill-title', text: b.title }), h('span', { class: `tag bill-${b.status}`, text: b.status_label })),
      h('p', { class: 'amount', text: money(b.amount_fen) }),
      h('dl', { class: 'facts' },
        h('dt', { text: t('web-bill-payee') }), h('dd', { text: b.payee }),
        b.account ? [h('dt', { text: t('web-bill-account') }), h('dd', { text: b.account })] : null,
        b.period ? [h('dt', { text: t('web-bill-period') }), h('dd', { text: b.period })] : null,
        h('dt', { text: t('web-bill-due') }), h('dd', { text: b.due })),
      b.description ? h('p', { class: 'muted small', text: b.description }) : null,
      h('div', { class: 'row-btns' }, action), msg);
  }

  function topUpCard(o) {
    const msg = h('div', { role: 'status' });
    const id = `topup-${o.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const input = h('input', { id, inputmode: 'decimal', autocomplete: 'off', required: true, maxlength: '9' });
    const btn = h('button', { type: 'submit', class: 'btn primary', text: t('web-topup-pay') });
    const form = h('form', { class: 'form' },
      h('div', { class: 'field' }, h('label', { for: id, text: t('web-topup-amount') }), input),
      h('p', { class: 'muted small', text: t('web-topup-range', { min: yuan(o.min_fen), max: yuan(o.max_fen), step: yuan(o.step_fen) }) }),
      btn, msg);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const fen = parseYuan(input.value);
      if (fen === null || fen <= 0) {
        replace(msg, h('p', { class: 'error', role: 'alert', text: t('web-topup-invalid') }));
        return;
      }
      const k = `${o.id}:${fen}`;
      if (!keys.has(k)) keys.set(k, newKey());
      create({ top_up: { account: o.id, amount_fen: fen } }, keys.get(k), btn, msg, o.title);
    });
    return h('li', { class: 'card bill' },
      h('p', { class: 'bill-head' }, h('strong', { class: 'bill-title', text: o.title })),
      h('dl', { class: 'facts' },
        h('dt', { text: t('web-bill-payee') }), h('dd', { text: o.payee }),
        o.account ? [h('dt', { text: t('web-bill-account') }), h('dd', { text: o.account })] : null),
      o.description ? h('p', { class: 'muted small', text: o.description }) : null,
      form);
  }

  replace(view, heading, notice, body,
    h('p', {}, h('a', { href: '/me/payments', text: t('web-payments-title') })),
    h('p', {}, h('a', { href: '/me', text: t('web-back-me') })));
  await load();
}
