// 预约: booking a time at a service hall for a 预约 item — the halls that
// book it nearest the person (with distance), a week strip with the places
// left each day, the day's slots, and a confirmation that sends the booking
// with an Idempotency-Key (one key per chosen slot, so a retry after a lost
// answer books once). With `?reschedule=<booking>&hall=<hall>` the same page
// moves an existing booking to another slot of its hall.
//
// Times come from the API in China time (+08:00) and are shown as written
// there, whatever the browser's time zone.

import { api, ApiError, loggedIn, qs } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status } from '../dom.js';
import { getPlace, locate, placePosition } from '../place.js';
import { t } from '../i18n.js';
import { levelLabel } from './me.js';

const WEEK = 7;
/** Weeks ahead the strip may go (the longest window is 30 days). */
const MAX_WEEKS = 5;

/** The date part (`YYYY-MM-DD`) of an RFC 3339 time in China time. */
export function dateOf(rfc3339) {
  return String(rfc3339 || '').slice(0, 10);
}

/** The clock time (`HH:MM`) of an RFC 3339 time in China time. */
export function clockOf(rfc3339) {
  return String(rfc3339 || '').slice(11, 16);
}

function parts(date) {
  const [y, m, d] = String(date).split('-').map(Number);
  return { y, m, d };
}

/** The day of the week of a `YYYY-MM-DD` date (0 = Sunday). */
function weekday(date) {
  const { y, m, d } = parts(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** `YYYY-MM-DD` plus `n` days. */
export function addDays(date, n) {
  const { y, m, d } = parts(date);
  const x = new Date(Date.UTC(y, m - 1, d + n));
  const p = (v) => String(v).padStart(2, '0');
  return `${x.getUTCFullYear()}-${p(x.getUTCMonth() + 1)}-${p(x.getUTCDate())}`;
}

/** The name of the day of the week (周一 …). */
export function weekdayName(date) {
  return t(`web-weekday-${weekday(date)}`);
}

/** A day as month and day (5月12日). */
export function shortDate(date) {
  const { m, d } = parts(date);
  return t('web-book-date-short', { month: m, day: d });
}

/** A booking's or slot's time: date, day of the week, start–end. */
export function slotWhen(start, end) {
  const date = dateOf(start);
  return t('web-book-when', { date, weekday: weekdayName(date), start: clockOf(start), end: clockOf(end) });
}

/** A moment (`YYYY-MM-DD HH:MM`, China time), the same in every language. */
export function momentText(rfc3339) {
  return `${dateOf(rfc3339)} ${clockOf(rfc3339)}`;
}

/** The service type of 预约 items, as the catalogue writes it. */
export const BOOKING_TYPE = '\u9884\u7ea6'; // 预约

/** A distance in metres as text (米 / 公里). */
export function distanceText(m) {
  if (typeof m !== 'number') return '';
  return m < 1000 ? t('web-distance-m', { m: Math.round(m) }) : t('web-distance-km', { km: (m / 1000).toFixed(1) });
}

/**
 * A fresh idempotency key: 32 hexadecimal digits from the browser's
 * random source (crypto.randomUUID needs a secure context; this does not).
 */
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The QR code of a check-in (SVG from the API) as an image. */
export function checkInQr(svg, code) {
  return h('img', { class: 'qr', width: '240', height: '240', alt: t('web-bk-qr-alt', { code }),
    src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` });
}

/** Renders the booking page of a 预约 item into `view`. */
export async function render(view, ctx) {
  const [itemId] = ctx.params;
  const moving = ctx.query.get('reschedule');
  const heading = pageTitle(moving ? t('web-book-move-title') : t('web-book-title'));
  replace(view, heading, status(t('web-loading')));

  let item;
  let current = null;
  try {
    item = await api(`/api/v1/items/${encodeURIComponent(itemId)}`, { auth: false });
    if (moving && loggedIn()) current = await api(`/api/v1/me/appointments/${encodeURIComponent(moving)}`);
  } catch (e) {
    replace(view, heading, errorBox(e, e instanceof ApiError && e.status === 404 ? t('web-item-not-found') : undefined));
    return;
  }
  if (!ctx.alive()) return;
  if (moving && !current) {
    replace(view, heading, loginBox());
    return;
  }
  heading.textContent = moving ? t('web-book-move-heading', { item: item.title }) : t('web-book-heading', { item: item.title });
  document.title = t('web-doc-title', { page: heading.textContent });

  const state = {
    hall: current ? current.hall_id : ctx.query.get('hall') || null,
    halls: [],
    today: null,
    from: null,
    days: [],
    day: null,
    slot: null,
    key: null,
  };
  const notes = h('div');
  const hallSlot = h('div');
  const weekSlot = h('div');
  const slotsSlot = h('div');
  const confirmSlot = h('div', { 'aria-live': 'polite' });

  const position = () => placePosition(getPlace());

  async function fetchSlots(from) {
    const pos = position();
    return api(`/api/v1/items/${encodeURIComponent(item.id)}/slots${qs({
      hall: state.hall || undefined,
      halls: state.hall ? undefined : 3,
      from,
      days: WEEK,
      lat: pos ? pos.lat.toFixed(5) : undefined,
      lng: pos ? pos.lng.toFixed(5) : undefined,
    })}`, { auth: false });
  }

  /** Loads a week (of the chosen hall, or the nearest halls first). */
  async function loadWeek(from, keepDay) {
    replace(weekSlot, status(t('web-loading')));
    replace(slotsSlot);
    let answer;
    try {
      answer = await fetchSlots(from);
    } catch (e) {
      replace(weekSlot, errorBox(e));
      return;
    }
    if (!ctx.alive()) return;
    if (!notes.childNodes.length && answer.notes) {
      replace(notes, h('p', { class: 'info small', text: t('web-book-notes', { notes: answer.notes }) }));
    }
    if (!answer.halls.length) {
      replace(hallSlot, section(t('web-book-halls'), h('p', { class: 'muted', text: t('web-book-no-halls') })));
      replace(weekSlot);
      return;
    }
    if (!state.hall || !state.halls.length) {
      // The first answer names the halls (nearest first); later ones ask for the chosen hall only.
      state.halls = answer.halls.map(({ hall_id, name, address, distance_m }) => ({ hall_id, name, address, distance_m }));
      state.hall = state.hall || answer.halls[0].hall_id;
    }
    const hall = answer.halls.find((x) => x.hall_id === state.hall) || answer.halls[0];
    const known = state.halls.find((x) => x.hall_id === hall.hall_id);
    if (known && typeof hall.distance_m === 'number') known.distance_m = hall.distance_m;
    if (!known) state.halls.push({ hall_id: hall.hall_id, name: hall.name, address: hall.address, distance_m: hall.distance_m });
    state.days = hall.days;
    state.from = hall.days.length ? hall.days[0].date : from;
    if (!state.today) state.today = state.from;
    const keep = keepDay && hall.days.find((d) => d.date === keepDay);
    const firstFree = hall.days.find((d) => d.state === 'open' && d.left > 0);
    state.day = keep ? keep.date : firstFree ? firstFree.date : null;
    drawHalls();
    drawWeek();
    drawSlots();
  }

  function drawHalls() {
    const pos = position();
    const locateBtn = !pos && !current ? h('button', { type: 'button', class: 'btn small', id: 'book-locate', text: t('web-halls-locate') }) : null;
    const msg = h('p', { class: 'muted small', role: 'status' });
    locateBtn?.addEventListener('click', async () => {
      msg.textContent = t('web-place-locating');
      try {
        await locate();
        state.halls = [];
        state.hall = null;
        await loadWeek(undefined);
      } catch (e) {
        msg.textContent = e.message;
      }
    });
    const list = h('ul', { class: 'halls book-halls' }, state.halls.map((x) => {
      const chosen = x.hall_id === state.hall;
      const b = h('button', { type: 'button', class: `hall-pick${chosen ? ' chosen' : ''}`, 'aria-pressed': String(chosen), 'data-hall': x.hall_id, disabled: Boolean(current) && !chosen },
        h('span', { class: 'hall-name' }, h('strong', { text: x.name }), h('span', { class: 'dist', text: distanceText(x.distance_m) })),
        h('span', { class: 'muted small', text: x.address }));
      b.addEventListener('click', () => {
        if (state.hall === x.hall_id) return;
        state.hall = x.hall_id;
        state.slot = null;
        replace(confirmSlot);
        loadWeek(state.from);
      });
      return h('li', { class: 'hall' }, b);
    }));
    replace(hallSlot, section(current ? t('web-book-hall') : t('web-book-halls'),
      pos || current ? null : h('p', { class: 'muted small', text: t('web-book-halls-region') }),
      list, locateBtn, msg));
  }

  function drawWeek() {
    const strip = h('ul', { class: 'week', 'aria-label': t('web-book-week') }, state.days.map((d) => {
      const chosen = d.date === state.day;
      const open = d.state === 'open';
      const left = open ? (d.left > 0 ? t('web-book-left', { count: d.left }) : t('web-book-day-full')) : d.label;
      const b = h('button', { type: 'button', class: `day${chosen ? ' chosen' : ''}${open && d.left > 0 ? '' : ' none'}`,
        'aria-pressed': String(chosen), 'data-date': d.date, disabled: !open },
      h('span', { class: 'day-name', text: weekdayName(d.date) }),
      h('span', { class: 'day-date', text: shortDate(d.date) }),
      h('span', { class: 'day-left', text: left }));
      b.addEventListener('click', () => {
        state.day = d.date;
        state.slot = null;
        replace(confirmSlot);
        drawWeek();
        drawSlots();
      });
      return h('li', {}, b);
    }));
    const prev = h('button', { type: 'button', class: 'btn small', text: t('web-book-prev-week'), disabled: !state.today || state.from <= state.today });
    const lastFrom = state.today ? addDays(state.today, WEEK * (MAX_WEEKS - 1)) : state.from;
    const next = h('button', { type: 'button', class: 'btn small', text: t('web-book-next-week'), disabled: state.from >= lastFrom });
    prev.addEventListener('click', () => {
      const back = addDays(state.from, -WEEK);
      loadWeek(back < state.today ? state.today : back);
    });
    next.addEventListener('click', () => loadWeek(addDays(state.from, WEEK)));
    replace(weekSlot, section(t('web-book-date'), strip, h('div', { class: 'week-nav' }, prev, next)));
  }

  function drawSlots() {
    const day = state.days.find((d) => d.date === state.day);
    if (!day) {
      replace(slotsSlot, h('p', { class: 'muted card', text: t('web-book-no-day') }));
      return;
    }
    const slots = day.slots || [];
    const list = h('ul', { class: 'slots', 'aria-label': t('web-book-slots-of', { date: shortDate(day.date), weekday: weekdayName(day.date) }) }, slots.map((s) => {
      const mine = current && current.start === s.start;
      const free = s.state === 'available' && !mine;
      const chosen = state.slot && state.slot.start === s.start;
      const label = mine ? t('web-book-slot-current') : s.state === 'available' ? t('web-book-left', { count: s.left })
        : s.state === 'full' ? t('web-book-slot-full') : t('web-book-slot-closed');
      const b = h('button', { type: 'button', class: `slot${chosen ? ' chosen' : ''}`, 'aria-pressed': String(Boolean(chosen)),
        'data-start': s.start, disabled: !free },
      h('span', { class: 'slot-time', text: `${clockOf(s.start)}–${clockOf(s.end)}` }),
      h('span', { class: 'slot-left', text: label }));
      b.addEventListener('click', () => {
        state.slot = s;
        // A new choice is a new request: a new key. A second tap on the
        // same confirmation reuses it.
        state.key = newKey();
        drawSlots();
        drawConfirm();
      });
      return h('li', {}, b);
    }));
    replace(slotsSlot, section(t('web-book-slots'), slots.length ? list : h('p', { class: 'muted', text: t('web-book-no-slots') })));
  }

  function drawConfirm(problem) {
    if (!state.slot) {
      replace(confirmSlot, problem || null);
      return;
    }
    const hall = state.halls.find((x) => x.hall_id === state.hall) || {};
    const msg = h('div', { role: 'status' }, problem || null);
    const btn = h('button', { type: 'button', id: 'confirm-booking', class: 'btn primary wide',
      text: loggedIn() ? (current ? t('web-book-confirm-move') : t('web-book-confirm')) : t('web-book-login') });
    btn.addEventListener('click', () => confirm(btn, msg));
    replace(confirmSlot, h('section', { class: 'card confirm', 'aria-labelledby': 'bk-confirm' },
      h('h2', { id: 'bk-confirm', text: current ? t('web-book-confirm-move-title') : t('web-book-confirm-title') }),
      h('dl', { class: 'facts' },
        h('dt', { text: t('web-bk-item') }), h('dd', { text: item.title }),
        h('dt', { text: t('web-bk-hall') }), h('dd', { text: hall.name || state.hall }),
        hall.address ? [h('dt', { text: t('web-bk-address') }), h('dd', { text: hall.address })] : null,
        current ? [h('dt', { text: t('web-bk-from') }), h('dd', { text: slotWhen(current.start, current.end) })] : null,
        h('dt', { text: current ? t('web-bk-to') : t('web-bk-time') }), h('dd', { text: slotWhen(state.slot.start, state.slot.end) })),
      btn, msg));
  }

  async function confirm(btn, msg) {
    if (!loggedIn()) {
      ctx.navigate(`/me${qs({ next: location.pathname + location.search })}`);
      return;
    }
    if (btn.disabled) return;
    btn.disabled = true;
    replace(msg, status(t('web-book-sending')));
    try {
      const r = current
        ? await api(`/api/v1/me/appointments/${encodeURIComponent(current.id)}/reschedule`, { method: 'POST', body: { start: state.slot.start } })
        : await api('/api/v1/me/appointments', { method: 'POST', body: { item_id: item.id, hall_id: state.hall, start: state.slot.start,
          ...(ctx.query.get('application') ? { application_id: ctx.query.get('application') } : {}) },
          headers: { 'Idempotency-Key': state.key } });
      if (!ctx.alive()) return;
      ctx.navigate(`/me/appointments/${encodeURIComponent(r.id)}${qs({ done: current ? 'moved' : 'booked' })}`, { replace: true });
    } catch (e) {
      btn.disabled = false;
      if (!(e instanceof ApiError)) {
        // The answer was lost: the same key again books at most once.
        replace(msg, h('p', { class: 'error', role: 'alert', text: t('web-book-network') }));
        return;
      }
      const code = e.problem.code || '';
      if (e.problem.level) {
        replace(msg, h('p', { class: 'error', role: 'alert' }, t('web-book-needs-level', { level: levelLabel(e.problem.level) }), ' ',
          h('a', { href: `/me${qs({ next: location.pathname + location.search })}`, text: t('web-item-step-up') })));
      } else if (code === 'err-booking-slot-full' || code === 'err-booking-slot-closed') {
        // Someone else took the last place (or the hall closed it): show the day again.
        const day = state.day;
        state.slot = null;
        await loadWeek(state.from, day);
        drawConfirm(errorBox(e));
      } else if (code === 'err-booking-already-booked') {
        replace(msg, errorBox(e), h('p', {}, h('a', { href: '/me/appointments', text: t('web-bk-mine') })));
      } else {
        replace(msg, errorBox(e));
      }
    }
  }

  replace(view, heading,
    current ? h('p', { class: 'info', text: t('web-book-move-note', { when: slotWhen(current.start, current.end), hall: current.hall_name }) }) : null,
    notes, hallSlot, weekSlot, slotsSlot, confirmSlot,
    h('p', {}, current
      ? h('a', { href: `/me/appointments/${encodeURIComponent(current.id)}`, text: t('web-bk-back-one') })
      : h('a', { href: `/items/${encodeURIComponent(item.id)}`, text: t('web-book-back-item') })));
  await loadWeek(undefined);
}

/** A card asking to log in first (`message`: the message id), coming back here after. */
export function loginBox(message = 'web-bk-login-first') {
  return h('div', { class: 'card' }, h('p', { text: t(message) }),
    h('a', { class: 'btn primary', href: `/me${qs({ next: location.pathname + location.search })}`, text: t('web-wallet-login') }));
}
