// 缴费记录 and one payment's result. The provider sends the person back to
// /me/payments/{id}; the page asks GET /api/v1/me/payments/{id} (which
// also asks the provider while the payment is open) until it is settled and
// its receipt is in 我的证照, and says honestly when the provider's
// notification is late (after 10 s): not to pay again, the platform keeps
// asking the provider, and the result shows here and in 缴费记录.

import { api, ApiError, loggedIn } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status, when } from '../dom.js';
import { t } from '../i18n.js';
import { goPay, money } from './bills.js';
import { loginBox } from './booking.js';

/** Statuses that wait for the provider or the department. */
const OPEN = ['created', 'paying', 'paid'];
/** After this long without a result the page says the notification is late. */
export const LATE_MS = 10000;
const FAST_MS = 1500;
const SLOW_MS = 5000;
/** Polling stops after this; a button asks again. */
const GIVE_UP_MS = 180000;

/** Renders 缴费记录 or one payment into `view`. */
export async function render(view, ctx) {
  const [id] = ctx.params;
  if (!loggedIn()) {
    replace(view, pageTitle(t('web-payments-title')), loginBox('web-bills-login-first'));
    return;
  }
  return id ? result(view, ctx, id) : list(view, ctx);
}

function statusTag(p) {
  return h('span', { class: `tag pay-${p.status}`, text: p.status_label });
}

async function list(view, ctx) {
  const heading = pageTitle(t('web-payments-title'));
  replace(view, heading, status(t('web-loading')));
  let r;
  try {
    r = await api('/api/v1/me/payments');
  } catch (e) {
    replace(view, heading, errorBox(e));
    return;
  }
  if (!ctx.alive()) return;
  const items = r.items || [];
  replace(view, heading,
    items.length
      ? h('ul', { class: 'list card payments' }, items.map((p) => h('li', {},
        h('a', { class: 'row', href: `/me/payments/${encodeURIComponent(p.id)}`, 'data-id': p.id },
          h('span', { class: 'row-main' },
            h('span', { class: 'row-title', text: p.title }),
            h('span', { class: 'row-sub' }, statusTag(p), ' ', money(p.amount_fen)),
            h('span', { class: 'row-sub', text: `${p.payee} · ${when(p.created_at)}` })),
          h('span', { class: 'chev', 'aria-hidden': 'true', text: '›' })))))
      : h('p', { class: 'muted card', text: t('web-payments-empty') }),
    h('p', {}, h('a', { href: '/me/bills', text: t('web-bills-title') })),
    h('p', {}, h('a', { href: '/me', text: t('web-back-me') })));
}

async function result(view, ctx, id) {
  const heading = pageTitle(t('web-pay-result-title'));
  replace(view, heading, status(t('web-pay-checking')));
  const started = Date.now();
  const path = `/api/v1/me/payments/${encodeURIComponent(id)}`;
  let timer = 0;
  let stopped = false;
  let shown = '';
  const summary = h('div');
  const outcome = h('div', { class: 'pay-outcome', role: 'status', 'aria-live': 'polite' });
  const late = h('div', { 'aria-live': 'polite' });
  const again = h('button', { type: 'button', class: 'btn', id: 'pay-refresh', text: t('web-pay-refresh'), hidden: true });
  again.addEventListener('click', () => {
    again.hidden = true;
    poll();
  });

  const draw = (p) => {
    replace(summary, h('section', { class: 'card', 'aria-labelledby': 'pay-what' },
      h('h2', { id: 'pay-what' }, p.title, ' ', statusTag(p)),
      h('p', { class: 'amount', text: money(p.amount_fen) }),
      h('dl', { class: 'facts' },
        h('dt', { text: t('web-pay-item') }), h('dd', { text: p.item_title }),
        h('dt', { text: t('web-bill-payee') }), h('dd', { text: p.payee }),
        p.account ? [h('dt', { text: t('web-bill-account') }), h('dd', { text: p.account })] : null,
        p.period ? [h('dt', { text: t('web-bill-period') }), h('dd', { text: p.period })] : null,
        h('dt', { text: t('web-pay-number') }), h('dd', { text: p.id }),
        h('dt', { text: t('web-pay-created') }), h('dd', { text: when(p.created_at) }),
        p.paid_at ? [h('dt', { text: t('web-pay-paid-at') }), h('dd', { text: when(p.paid_at) })] : null,
        p.settled_at ? [h('dt', { text: t('web-pay-settled-at') }), h('dd', { text: when(p.settled_at) })] : null,
        p.receipt_number ? [h('dt', { text: t('web-pay-receipt-number') }), h('dd', { text: p.receipt_number })] : null)));
    const key = `${p.status}|${p.wallet_entry_id || ''}`;
    if (key === shown) return;
    shown = key;
    if (p.status === 'settled') {
      replace(outcome, h('div', { class: 'ok' },
        h('p', {}, h('strong', { text: t('web-pay-settled') })),
        p.wallet_entry_id
          ? h('p', {}, h('a', { class: 'btn primary', id: 'receipt-link', href: `/wallet/${encodeURIComponent(p.wallet_entry_id)}`, text: t('web-pay-receipt') }))
          : h('p', { class: 'small', text: t('web-pay-receipt-coming') })));
    } else if (p.status === 'paid') {
      replace(outcome, h('p', { class: 'info', text: t('web-pay-paid') }));
    } else if (p.status === 'created' || p.status === 'paying') {
      const link = p.pay_url ? h('button', { type: 'button', class: 'btn', text: t('web-pay-continue') }) : null;
      link?.addEventListener('click', () => goPay(p, ctx));
      replace(outcome, h('p', { class: 'info', text: t('web-pay-waiting') }), link);
    } else if (p.status === 'failed' || p.status === 'expired') {
      replace(outcome, h('div', { class: 'error' },
        h('p', { text: t('web-pay-not-done', { status: p.status_label }) }),
        h('p', {}, h('a', { href: '/me/bills', text: t('web-pay-again') }))));
    } else {
      replace(outcome, h('p', { class: 'info', text: p.status_label }));
    }
  };

  const settledWithReceipt = (p) => p.status === 'settled' && p.wallet_entry_id;
  const finished = (p) => settledWithReceipt(p) || !(OPEN.includes(p.status) || p.status === 'settled');

  async function poll() {
    if (stopped) return;
    let p;
    try {
      p = await api(path);
    } catch (e) {
      if (stopped || !ctx.alive()) return;
      if (e instanceof ApiError && e.status === 404) {
        replace(view, heading, errorBox(e), h('p', {}, h('a', { href: '/me/payments', text: t('web-payments-title') })));
        return;
      }
      // A passing failure: say it and try again.
      replace(late, errorBox(e));
      p = null;
    }
    if (stopped || !ctx.alive()) return;
    if (p) draw(p);
    if (p && finished(p)) {
      replace(late);
      return;
    }
    const waited = Date.now() - started;
    if (waited >= LATE_MS && p) {
      replace(late, h('div', { class: 'warn', id: 'pay-late' },
        h('p', { text: p.status === 'settled' ? t('web-pay-late-receipt') : t('web-pay-late') }),
        h('p', { class: 'small', text: t('web-pay-late-safe') })));
    }
    if (waited >= GIVE_UP_MS) {
      again.hidden = false;
      return;
    }
    timer = setTimeout(poll, waited < LATE_MS ? FAST_MS : SLOW_MS);
  }

  replace(view, heading, outcome, late, again, summary,
    h('p', {}, h('a', { href: '/me/payments', text: t('web-payments-title') })),
    h('p', {}, h('a', { href: '/me/bills', text: t('web-bills-title') })));
  await poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
