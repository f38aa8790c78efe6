// 证明 开具: one button asks the department for the certificate, which the
// wallet signs into 我的证照; the page then shows it with 打印 (print CSS:
// A4, only the certificate and its verification QR) and 出示 (the wallet's
// presentation). The QR on paper is the wallet's one-time presentation
// code, made when 打印 is pressed, which /verify checks.

import { api, ApiError, loggedIn, qs } from '../api.js';
import { errorBox, h, replace, status, when } from '../dom.js';
import { t } from '../i18n.js';
import { departmentProblem, loginHref } from '../records.js';
import { levelLabel } from './me.js';

const VALIDITY = ['no_expiry', 'valid', 'expiring', 'expired'];

/** Draws the 开具 page of the 证明 item `item` into `view`. */
export async function renderCertificate(view, ctx, item, heading) {
  heading.textContent = item.title;
  document.title = t('web-doc-title', { page: item.title });
  const about = h('p', { class: 'muted', text: t('web-cert-about') });
  const slot = h('div', { id: 'cert-slot' });
  const out = h('div', { id: 'cert-result', 'aria-live': 'polite' });
  replace(view,
    h('nav', { class: 'crumbs', 'aria-label': t('web-item-crumbs') },
      h('a', { href: `/search${qs({ category: item.category })}`, text: item.category }), ' › ',
      h('a', { href: `/search${qs({ category: item.category, theme: item.theme })}`, text: item.theme })),
    heading, about, slot, out,
    h('p', { class: 'muted small' }, t('web-cert-department'), h('span', { class: 'data', text: item.department })));
  if (!loggedIn()) {
    replace(slot, h('div', { class: 'card', id: 'cert-login' },
      h('p', { text: t('web-cert-login-first') }),
      h('a', { class: 'btn primary', href: loginHref(), text: t('web-cert-login') })));
    return;
  }
  const shown = ctx.query.get('certificate');
  if (shown) {
    replace(slot, status(t('web-loading')));
    try {
      const entry = await fullEntry(shown);
      if (!ctx.alive()) return;
      replace(slot);
      showCertificate(out, entry);
      return;
    } catch {
      // Gone from the wallet: offer to issue it again.
      history.replaceState(null, '', location.pathname);
    }
  }
  let info = null;
  try {
    info = await api(`/api/v1/items/${encodeURIComponent(item.id)}/certificate`, { auth: false });
  } catch {
    /* the daemon asks for a purpose itself when one is needed */
  }
  if (!ctx.alive()) return;
  const purposes = (info && info.purposes) || [];
  const purpose = purposes.length
    ? h('div', { class: 'field' },
      h('label', { for: 'cert-purpose', text: t('web-cert-purpose') }),
      h('select', { id: 'cert-purpose', name: 'purpose', required: info.purpose_required },
        h('option', { value: '', text: t('web-cert-purpose-choose') }),
        purposes.map((p) => h('option', { class: 'data', value: p, text: p }))))
    : null;
  const issue = h('button', { type: 'submit', id: 'cert-issue', class: 'btn primary wide', text: t('web-cert-issue') });
  const msg = h('div', { role: 'status' });
  const form = h('form', { class: 'card form', id: 'cert-form' },
    info ? h('p', { class: 'small' }, t('web-cert-level', { level: levelLabel(info.level) }), ' · ',
      info.valid_days ? t('web-cert-valid-days', { days: info.valid_days }) : t('web-wallet-validity-no_expiry')) : null,
    purpose, issue, msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = purpose ? form.querySelector('#cert-purpose').value : '';
    issue.disabled = true;
    replace(msg, status(t('web-cert-issuing', { department: item.department })));
    let entry;
    try {
      entry = await api('/api/v1/me/certificates', { method: 'POST', body: chosen ? { item_id: item.id, purpose: chosen } : { item_id: item.id } });
    } catch (err) {
      issue.disabled = false;
      replace(msg, departmentProblem(err, { action: 'issue', retry: () => form.requestSubmit() }));
      return;
    }
    history.replaceState(null, '', `${location.pathname}${qs({ certificate: entry.id })}`);
    try {
      entry = await fullEntry(entry.id, entry);
    } catch {
      /* the entry as issued */
    }
    if (!ctx.alive()) return;
    replace(slot);
    showCertificate(out, entry);
  });
  replace(slot, form);
}

/** The wallet entry in full when the session allows it (L3), masked otherwise. */
async function fullEntry(id, fallback) {
  const path = `/api/v1/me/wallet/${encodeURIComponent(id)}`;
  try {
    return await api(`${path}?full=true`);
  } catch (e) {
    if (fallback) return fallback;
    if (e instanceof ApiError && e.status === 403) return api(path);
    throw e;
  }
}

function validity(l) {
  if (l.revoked) return t('web-wallet-revoked');
  return VALIDITY.includes(l.validity) ? t(`web-wallet-validity-${l.validity}`) : t('web-status-other');
}

/** The certificate with its 打印 and 出示 buttons. */
function showCertificate(out, l) {
  const qrSlot = h('div', { class: 'cert-qr', id: 'cert-qr' });
  const msg = h('div', { class: 'no-print', role: 'status' });
  const print = h('button', { type: 'button', id: 'cert-print', class: 'btn primary', text: t('web-cert-print') });
  print.addEventListener('click', async () => {
    print.disabled = true;
    replace(msg, status(t('web-cert-preparing')));
    try {
      const p = await presentation(l);
      const img = h('img', { class: 'qr', alt: t('web-cert-qr-alt', { licence: l.type_name }), width: '200', height: '200',
        src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(p.qr_svg)}` });
      replace(qrSlot, img,
        h('p', { class: 'small cert-verify', text: t('web-cert-verify-note', { url: `${location.origin}/verify`, code: p.code, until: when(p.expires_at) }) }));
      replace(msg);
      await img.decode().catch(() => {});
      window.print();
    } catch (e) {
      replace(msg, e instanceof ApiError && e.status === 403
        ? departmentProblem(e)
        : errorBox(e));
    } finally {
      print.disabled = false;
    }
  });
  // A certificate's own fields often restate its number, issuer and dates
  // (证明编号, 出具单位, 出具日期): those are shown once.
  const stated = new Set((l.fields || []).map((f) => f.value));
  const standard = (label, value) => (value && stated.has(value) ? [] : [[label, value]]);
  const facts = [
    ...standard(t('web-wallet-number'), l.number),
    ...(l.fields || []).map((f) => [f.label, f.value]),
    ...standard(t('web-wallet-authority'), l.authority),
    ...standard(t('web-wallet-issued-on'), l.issued_on),
    ...standard(t('web-wallet-expires'), l.expires_on || t('web-wallet-validity-no_expiry')),
    [t('web-wallet-status'), validity(l)],
  ];
  replace(out,
    h('p', { class: 'ok no-print', id: 'cert-done', text: t('web-cert-issued') }),
    h('article', { class: 'card certificate', id: 'certificate', 'aria-labelledby': 'cert-h' },
      h('h2', { id: 'cert-h', text: l.type_name }),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v || '—' })])),
      qrSlot),
    h('div', { class: 'row-btns no-print cert-actions' },
      print,
      h('a', { class: 'btn', id: 'cert-present', href: `/wallet/${encodeURIComponent(l.id)}`, text: t('web-cert-present') }),
      h('a', { class: 'btn ghost', href: '/wallet', text: t('web-cert-wallet') })),
    msg);
  out.querySelector('#certificate').scrollIntoView({ block: 'start' });
}

/** A one-time presentation of every field (the sensitive ones only when the session may). */
async function presentation(l) {
  const path = `/api/v1/me/wallet/${encodeURIComponent(l.id)}/present`;
  const all = (l.fields || []).map((f) => f.name);
  try {
    return await api(path, { method: 'POST', body: { disclose: all } });
  } catch (e) {
    const plain = (l.fields || []).filter((f) => !f.sensitive).map((f) => f.name);
    if (e instanceof ApiError && e.status === 403 && plain.length < all.length) {
      return api(path, { method: 'POST', body: { disclose: plain } });
    }
    throw e;
  }
}
