// 我的预约: the person's bookings (active ones first, with their check-in
// codes), and one booking with its check-in code and QR, cancel (asked
// twice, the place is given back at once) and 改约 (the booking page in
// reschedule mode, the same hall).

import { api, ApiError, loggedIn, qs } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status, when } from '../dom.js';
import { t } from '../i18n.js';
import { BOOKING_TYPE, checkInQr, loginBox, momentText, slotWhen } from './booking.js';

/** Renders 我的预约 or one booking into `view`. */
export async function render(view, ctx) {
  const [id] = ctx.params;
  if (!loggedIn()) {
    replace(view, pageTitle(t('web-bk-mine')), loginBox());
    return;
  }
  return id ? detail(view, ctx, id) : list(view, ctx);
}

function statusTag(a) {
  return h('span', { class: `tag bk-${a.status}`, text: a.status_label });
}

async function list(view, ctx) {
  const heading = pageTitle(t('web-bk-mine'));
  replace(view, heading, status(t('web-loading')));
  let r;
  try {
    r = await api('/api/v1/me/appointments');
  } catch (e) {
    replace(view, heading, errorBox(e));
    return;
  }
  if (!ctx.alive()) return;
  const items = r.items || [];
  replace(view, heading,
    items.length
      ? h('ul', { class: 'list card appointments' }, items.map((a) => h('li', {},
        h('a', { class: 'row', href: `/me/appointments/${encodeURIComponent(a.id)}`, 'data-id': a.id },
          h('span', { class: 'row-main' },
            h('span', { class: 'row-title', text: a.title }),
            h('span', { class: 'row-sub' }, statusTag(a), ' ', slotWhen(a.start, a.end)),
            h('span', { class: 'row-sub', text: a.hall_name }),
            a.check_in_code ? h('span', { class: 'row-sub', text: t('web-bk-code-line', { code: a.check_in_code }) }) : null),
          h('span', { class: 'chev', 'aria-hidden': 'true', text: '›' })))))
      : h('div', { class: 'card' }, h('p', { class: 'muted', text: t('web-bk-empty') }),
        h('p', {}, h('a', { href: `/search${qs({ service_type: BOOKING_TYPE })}`, text: t('web-bk-find') }))),
    h('p', {}, h('a', { href: '/me', text: t('web-back-me') })));
}

async function detail(view, ctx, id) {
  const heading = pageTitle(t('web-bk-detail'));
  replace(view, heading, status(t('web-loading')));
  let a;
  try {
    a = await api(`/api/v1/me/appointments/${encodeURIComponent(id)}`);
  } catch (e) {
    replace(view, heading, errorBox(e, e instanceof ApiError && e.status === 404 ? t('web-bk-not-found') : undefined), back());
    return;
  }
  if (!ctx.alive()) return;
  draw(view, ctx, heading, a, ctx.query.get('done'));
}

function draw(view, ctx, heading, a, done) {
  heading.textContent = a.title;
  document.title = t('web-doc-title', { page: a.title });
  const active = a.status === 'booked';
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  const actions = h('div', { class: 'row-btns' });
  if (active && a.changeable) {
    const move = h('a', { class: 'btn', id: 'reschedule',
      href: `/items/${encodeURIComponent(a.item_id)}/book${qs({ reschedule: a.id, hall: a.hall_id })}`, text: t('web-bk-reschedule') });
    const cancel = h('button', { type: 'button', class: 'btn ghost', id: 'cancel-booking', text: t('web-bk-cancel') });
    cancel.addEventListener('click', () => {
      // Asked twice, on the page (no dialog): 确认取消 or 不取消.
      const yes = h('button', { type: 'button', class: 'btn primary', id: 'cancel-yes', text: t('web-bk-cancel-yes') });
      const no = h('button', { type: 'button', class: 'btn', text: t('web-bk-cancel-no') });
      no.addEventListener('click', () => {
        replace(msg);
        cancel.hidden = false;
        cancel.focus();
      });
      yes.addEventListener('click', async () => {
        yes.disabled = true;
        try {
          const r = await api(`/api/v1/me/appointments/${encodeURIComponent(a.id)}`, { method: 'DELETE' });
          if (!ctx.alive()) return;
          draw(view, ctx, heading, r, 'cancelled');
        } catch (e) {
          yes.disabled = false;
          replace(msg, errorBox(e));
        }
      });
      cancel.hidden = true;
      replace(msg, h('div', { class: 'warn' }, h('p', { text: t('web-bk-cancel-ask', { when: slotWhen(a.start, a.end) }) }),
        h('div', { class: 'row-btns' }, yes, no)));
      yes.focus();
    });
    actions.append(move, cancel);
  } else if (active) {
    actions.append(h('p', { class: 'muted small', text: t('web-bk-too-late', { deadline: momentText(a.change_deadline) }) }));
  }
  const doneNote = {
    booked: t('web-bk-done-booked'),
    moved: t('web-bk-done-moved'),
    cancelled: t('web-bk-done-cancelled'),
  }[done];
  replace(view, heading,
    doneNote ? h('p', { class: 'ok', role: 'status', tabindex: '-1', id: 'bk-done', text: doneNote }) : null,
    h('section', { class: 'card ticket', 'aria-labelledby': 'bk-ticket' },
      h('h2', { id: 'bk-ticket' }, t('web-bk-ticket'), ' ', statusTag(a)),
      active && a.check_in_code ? h('div', { class: 'qr-box' },
        a.check_in_qr_svg ? checkInQr(a.check_in_qr_svg, a.check_in_code) : null,
        h('p', { class: 'checkin-code', id: 'check-in-code' }, t('web-bk-code'), ' ', h('strong', { text: a.check_in_code })),
        h('p', { class: 'muted small', text: t('web-bk-code-how') })) : null,
      h('dl', { class: 'facts' },
        h('dt', { text: t('web-bk-time') }), h('dd', { id: 'bk-time', text: slotWhen(a.start, a.end) }),
        h('dt', { text: t('web-bk-hall') }), h('dd', { text: a.hall_name }),
        a.hall_address ? [h('dt', { text: t('web-bk-address') }), h('dd', { text: a.hall_address })] : null,
        h('dt', { text: t('web-bk-booked-at') }), h('dd', { text: when(a.created_at) }),
        a.checked_in_at ? [h('dt', { text: t('web-bk-checked-in-at') }), h('dd', { text: when(a.checked_in_at) })] : null),
      a.close_reason ? h('p', { class: 'warn', text: t('web-bk-closed-reason', { reason: a.close_reason }) }) : null,
      a.moved_to ? h('p', {}, h('a', { href: `/me/appointments/${encodeURIComponent(a.moved_to)}`, text: t('web-bk-moved-to') })) : null,
      a.moved_from ? h('p', { class: 'muted small', text: t('web-bk-moved-from') }) : null,
      active && a.changeable ? h('p', { class: 'muted small', text: t('web-bk-change-until', { deadline: momentText(a.change_deadline) }) }) : null,
      actions, msg),
    a.notes ? section(t('web-bk-notes'), h('p', { text: a.notes })) : null,
    back());
  // After a cancel on this page the pressed button is gone: the outcome takes the focus.
  if (done === 'cancelled') view.querySelector('#bk-done')?.focus();
}

function back() {
  return h('p', {}, h('a', { href: '/me/appointments', text: t('web-bk-back') }));
}
