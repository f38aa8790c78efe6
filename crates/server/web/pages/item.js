// 服务详情: 办理须知 first (the essentials), steps, materials, login level,
// nearest halls with distance, and starting or resuming an application.
// A 查询 item opens its records page instead (query.js), a 证明 item its
// 开具 page (certificate.js); a 预约 item leads to its booking page
// (booking.js), a 缴费 item to its bills (bills.js).

import { api, ApiError, loggedIn, qs } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status } from '../dom.js';
import { getPlace, locate, placePosition } from '../place.js';
import { listSeparator, t } from '../i18n.js';
import { levelLabel } from './me.js';
import { renderQuery } from './query.js';
import { renderCertificate } from './certificate.js';
import { departmentProblem } from '../records.js';
import { BOOKING_TYPE } from './booking.js';
import { PAYMENT_TYPE } from './bills.js';

// The catalogue's service types that open a page of their own (data values,
// kept in Chinese): 查询 shows records, 证明 issues a certificate.
const QUERY = '\u67e5\u8be2';
const CERTIFICATE = '\u8bc1\u660e';

/** Renders a service item into `view`. */
export async function render(view, ctx) {
  const [id] = ctx.params;
  const heading = pageTitle(t('web-item-title'));
  replace(view, heading, status(t('web-loading')));
  let item;
  try {
    item = await api(`/api/v1/items/${encodeURIComponent(id)}`, { auth: false });
  } catch (e) {
    replace(view, heading, errorBox(e, e instanceof ApiError && e.status === 404 ? t('web-item-not-found') : undefined));
    return;
  }
  if (!ctx.alive()) return;
  if (item.service_type === QUERY) {
    // A 查询 item shows the records its kind describes, not an application form.
    try {
      const kind = await api(`/api/v1/items/${encodeURIComponent(item.id)}/record-kind`, { auth: false });
      if (!ctx.alive()) return;
      renderQuery(view, ctx, item, kind, heading);
      return;
    } catch (e) {
      if (!ctx.alive()) return;
      if (!(e instanceof ApiError && e.status === 404)) {
        heading.textContent = item.title;
        replace(view, heading, departmentProblem(e, { retry: () => ctx.navigate(location.pathname + location.search, { replace: true }) }));
        return;
      }
    }
  }
  if (item.service_type === CERTIFICATE) {
    await renderCertificate(view, ctx, item, heading);
    return;
  }
  heading.textContent = item.title;
  document.title = t('web-doc-title', { page: item.title });

  const licencesSlot = h('div');
  api(`/api/v1/items/${encodeURIComponent(item.id)}/licences`, { auth: false }).then((r) => {
    const list = (r && r.licences) || [];
    if (list.length) {
      replace(licencesSlot, h('p', { class: 'small' }, h('strong', { text: t('web-item-licences') }),
        list.map((l) => (l.renewal ? t('web-item-licence-renewal', { licence: l.name }) : l.name)).join(listSeparator()),
        loggedIn() ? [' · ', h('a', { href: '/wallet', text: t('web-me-wallet') })] : null));
    }
  }).catch(() => {});
  const ways = [item.online ? t('web-item-way-online') : null, item.in_person ? t('web-item-way-counter') : null].filter(Boolean).join(listSeparator()) || t('web-item-way-guide');
  const level = item.login_level ? levelLabel(item.login_level) : t('web-item-no-login');
  const essentials = h('section', { class: 'card essentials', 'aria-labelledby': 'must' },
    h('h2', { id: 'must', text: t('web-item-essentials') }),
    item.description ? h('p', { class: 'lead', text: item.description }) : null,
    h('dl', { class: 'facts' },
      fact(t('web-item-way'), ways),
      fact(t('web-item-login'), level),
      fact(t('web-filter-type-label'), item.service_type || '—'),
      fact(t('web-item-audience'), (item.audience || []).join(listSeparator()) || '—'),
      fact(t('web-item-department'), item.department),
      fact(t('web-item-steps'), t('web-item-step-count', { count: (item.steps || []).length })),
      fact(t('web-item-materials'), t('web-item-material-count', { count: (item.materials || []).length }))),
    licencesSlot);

  const action = h('div', { class: 'actions' });
  const actionMsg = h('div', { role: 'status' });
  const start = h('button', { type: 'button', class: 'btn primary wide', text: loggedIn() ? t('web-item-start') : t('web-item-login-to-start') });
  start.addEventListener('click', async () => {
    if (!loggedIn()) {
      ctx.navigate(`/me${qs({ next: location.pathname })}`);
      return;
    }
    start.disabled = true;
    replace(actionMsg);
    try {
      const app = await api('/api/v1/me/applications', { method: 'POST', body: { item_id: item.id } });
      ctx.navigate(`/me/applications/${encodeURIComponent(app.id)}`);
    } catch (e) {
      start.disabled = false;
      if (e instanceof ApiError && e.problem.level) {
        replace(actionMsg, h('p', { class: 'error', role: 'alert' },
          t('web-item-needs-level', { level: levelLabel(e.problem.level) }), ' ',
          h('a', { href: `/me${qs({ next: location.pathname })}`, text: t('web-item-step-up') })));
      } else {
        replace(actionMsg, errorBox(e));
      }
    }
  });
  action.append(start, actionMsg);
  // A 预约 item is booked at a hall; a 缴费 item is paid from the bills.
  if (item.service_type === BOOKING_TYPE) {
    action.replaceChildren(h('a', { class: 'btn primary wide', id: 'book', href: `/items/${encodeURIComponent(item.id)}/book`, text: t('web-book-start') }));
  } else if (item.service_type === PAYMENT_TYPE) {
    action.replaceChildren(h('a', { class: 'btn primary wide', id: 'pay-bills', href: `/me/bills${qs({ item_id: item.id })}`, text: t('web-bills-start') }));
  }

  const hallsSlot = h('div');
  replace(view,
    h('nav', { class: 'crumbs', 'aria-label': t('web-item-crumbs') },
      h('a', { href: `/search${qs({ category: item.category })}`, text: item.category }), ' › ',
      h('a', { href: `/search${qs({ category: item.category, theme: item.theme })}`, text: item.theme })),
    heading,
    essentials,
    action,
    (item.steps || []).length ? section(t('web-item-flow'), h('ol', { class: 'steps' }, item.steps.map((s) => h('li', { text: s })))) : null,
    (item.materials || []).length ? section(t('web-item-materials-title'), h('ul', { class: 'bullets' }, item.materials.map((m) => h('li', { text: m })))) : null,
    hallsSlot,
    item.url ? h('p', { class: 'muted small' }, t('web-item-official'), h('a', { href: item.url, rel: 'noopener noreferrer', target: '_blank', text: item.url })) : null);
  if (item.in_person !== false) await showHalls(hallsSlot, item.id);
}

function fact(label, value) {
  return [h('dt', { text: label }), h('dd', { text: value })];
}

async function showHalls(slot, itemId) {
  const pos = placePosition(getPlace());
  if (!pos) {
    const btn = h('button', { type: 'button', class: 'btn', text: t('web-halls-locate') });
    const msg = h('p', { class: 'muted small', role: 'status' });
    btn.addEventListener('click', async () => {
      msg.textContent = t('web-place-locating');
      try {
        await locate();
        await showHalls(slot, itemId);
      } catch (e) {
        msg.textContent = e.message;
      }
    });
    replace(slot, section(t('web-halls-title'), h('p', { class: 'muted', text: t('web-halls-how') }), btn, msg));
    return;
  }
  let halls;
  try {
    halls = (await api(`/api/v1/halls${qs({ lat: pos.lat.toFixed(5), lng: pos.lng.toFixed(5), item: itemId, size: 3 })}`, { auth: false })).halls || [];
  } catch (e) {
    replace(slot, section(t('web-halls-title'), errorBox(e)));
    return;
  }
  replace(slot, section(t('web-halls-title'), halls.length
    ? h('ul', { class: 'halls' }, halls.map((hall) => h('li', { class: 'hall' },
      h('p', { class: 'hall-name' }, h('strong', { text: hall.name }), h('span', { class: 'dist', text: distance(hall.distance_m) })),
      h('p', { class: 'muted small', text: hall.address }),
      hall.opening_hours ? h('p', { class: 'muted small', text: t('web-halls-hours', { hours: hall.opening_hours }) }) : null,
      hall.phone ? h('p', { class: 'muted small' }, t('web-halls-phone'), h('a', { href: `tel:${hall.phone}`, text: hall.phone })) : null)))
    : h('p', { class: 'muted', text: t('web-halls-none') })));
}

function distance(m) {
  if (typeof m !== 'number') return '';
  return m < 1000 ? t('web-distance-m', { m: Math.round(m) }) : t('web-distance-km', { km: (m / 1000).toFixed(1) });
}
