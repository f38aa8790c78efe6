// 卡证: the wallet (cards and certificates), one licence in detail (in full
// after the face check, L3), and 出示: a QR code carrying a one-time short
// link (the verifier's phone exchanges it for the presentation) plus the
// full token to paste (verifiable offline). Sensitive fields are marked and
// need L3. The QR is refreshed before it expires — in 长辈版 only when the
// person presses 刷新 (nothing changes by itself).

import { api, ApiError, loggedIn } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status, when } from '../dom.js';
import { elder, listSeparator, t } from '../i18n.js';

const VALIDITY = ['no_expiry', 'valid', 'expiring', 'expired'];
const REFRESH_BEFORE_MS = 30000;

function validity(l) {
  if (l.revoked) return t('web-wallet-revoked');
  return VALIDITY.includes(l.validity) ? t(`web-wallet-validity-${l.validity}`) : t('web-status-other');
}

/** Renders the wallet or one licence into `view`. */
export async function render(view, ctx) {
  const [id] = ctx.params;
  if (!loggedIn()) {
    replace(view, pageTitle(t('web-me-wallet')),
      h('div', { class: 'card' }, h('p', { text: t('web-wallet-login-first') }),
        h('a', { class: 'btn primary', href: '/me?next=/wallet', text: t('web-wallet-login') })),
      h('p', {}, h('a', { href: '/verify', text: t('web-wallet-verify-link') })));
    return;
  }
  return id ? detail(view, ctx, id) : list(view, ctx);
}

async function list(view, ctx) {
  const heading = pageTitle(t('web-me-wallet'));
  replace(view, heading, status(t('web-loading')));
  let w;
  try {
    w = await api('/api/v1/me/wallet');
  } catch (e) {
    replace(view, heading, errorBox(e));
    return;
  }
  if (!ctx.alive()) return;
  const msg = h('div', { role: 'status', 'aria-live': 'polite', id: 'add-result' });
  const add = h('button', { type: 'button', id: 'add-licences', class: 'btn', text: t('web-wallet-add') });
  add.addEventListener('click', async () => {
    add.disabled = true;
    replace(msg, status(t('web-wallet-adding')));
    try {
      const r = await api('/api/v1/me/wallet', { method: 'POST', body: {} });
      add.disabled = false;
      if (r.added > 0) {
        ctx.navigate('/wallet', { replace: true });
        return;
      }
      const refused = (r.refused || []).map((x) => t('web-wallet-refused-revoked', { licence: x.type_name }));
      replace(msg, h('p', { class: 'note', role: 'note', text: refused.length
        ? t('web-wallet-nothing-new-refused', { list: refused.join(listSeparator()) })
        : t('web-wallet-nothing-new', { count: (r.items || []).length }) }));
    } catch (e) {
      add.disabled = false;
      replace(msg, errorBox(e, e instanceof ApiError && e.status === 403 ? t('web-wallet-needs-l2') : undefined));
    }
  });
  const cards = w.items.filter((i) => i.kind === 'card');
  const certs = w.items.filter((i) => i.kind !== 'card');
  const grid = (items) => h('ul', { class: 'licences' }, items.map((l, n) =>
    h('li', {}, h('a', { class: `licence lc${n % 4}${l.revoked ? ' revoked' : ''}`, href: `/wallet/${encodeURIComponent(l.id)}` },
      h('span', { class: 'lc-name', text: l.type_name }),
      h('span', { class: 'lc-number', text: l.number }),
      h('span', { class: 'lc-meta' }, h('span', { class: `tag v-${l.validity}`, text: validity(l) }),
        l.expires_on ? ` ${t('web-wallet-expires-on', { date: l.expires_on })}` : '')))));
  replace(view, heading,
    w.expiring ? h('p', { class: 'warn', role: 'note', text: t('web-wallet-expiring', { count: w.expiring }) }) : null,
    cards.length ? section(t('web-wallet-cards'), grid(cards)) : null,
    certs.length ? section(t('web-wallet-certificates'), grid(certs)) : null,
    w.items.length ? null : h('p', { class: 'muted card', text: t('web-wallet-empty') }),
    h('div', { class: 'actions' }, add, msg),
    h('p', {}, h('a', { href: '/verify', text: t('web-wallet-verify-link') })));
}

async function detail(view, ctx, id) {
  const heading = pageTitle(t('web-wallet-detail'));
  replace(view, heading, status(t('web-loading')));
  let l;
  let level = 'L1';
  try {
    level = (await api('/api/v1/me/profile')).level || 'L1';
  } catch {
    /* the masked view needs no level */
  }
  const path = `/api/v1/me/wallet/${encodeURIComponent(id)}`;
  try {
    // After the face check (L3, fresh) the full view is what the step-up promised.
    l = level === 'L3' ? await api(`${path}?full=true`).catch((e) => {
      if (e instanceof ApiError && e.status === 403) return api(path);
      throw e;
    }) : await api(path);
  } catch (e) {
    replace(view, heading, errorBox(e), h('a', { href: '/wallet', text: t('web-wallet-back') }));
    return;
  }
  if (!ctx.alive()) return;
  heading.textContent = l.type_name;
  document.title = t('web-doc-title', { page: l.type_name });
  const masked = l.fields.some((f) => f.masked);
  let timer = 0;
  let stopped = false;
  let refreshed = false;
  const sensitive = l.fields.filter((f) => f.sensitive);
  const qrSlot = h('div', { class: 'qr-slot', 'aria-live': 'polite' });
  const choices = h('fieldset', { class: 'disclose' },
    h('legend', { text: t('web-present-choose') }),
    l.fields.map((f) => h('div', { class: 'check' },
      h('input', { type: 'checkbox', id: `d-${f.name}`, value: f.name, checked: !f.sensitive, 'data-sensitive': f.sensitive ? 'true' : null }),
      h('label', { for: `d-${f.name}` }, f.label, f.sensitive ? h('span', { class: 'tag sensitive', text: t('web-present-sensitive') }) : null))));
  const present = h('button', { type: 'button', id: 'present', class: 'btn primary wide', text: t('web-present-qr'), disabled: l.revoked });
  const requestCode = h('input', { id: 'request-code', name: 'request', autocomplete: 'off', maxlength: '16', inputmode: 'latin', spellcheck: 'false' });
  const answer = h('button', { type: 'button', class: 'btn', text: t('web-present-to-verifier'), disabled: l.revoked });
  const fromLink = new URLSearchParams(location.search).get('request');
  if (fromLink) requestCode.value = fromLink;
  const stepUpLink = `/me?next=${encodeURIComponent(`/wallet/${l.id}`)}`;
  const sensitiveNote = sensitive.length
    ? h('p', { class: 'muted small', id: 'sensitive-note' },
      t('web-present-sensitive-note', { fields: sensitive.map((f) => f.label).join(listSeparator()) }),
      level === 'L3' ? null : [' ', h('a', { href: stepUpLink, text: t('web-present-face-check') })])
    : null;
  const disclosed = () => [...choices.querySelectorAll('input:checked')].map((c) => c.value);
  const send = async () => {
    try {
      const p = await api(`/api/v1/me/wallet/${encodeURIComponent(l.id)}/present`, { method: 'POST', body: { disclose: disclosed(), request: requestCode.value.trim() } });
      replace(qrSlot, h('p', { class: 'note', role: 'status', text: t('web-present-sent', { verifier: p.verifier, count: p.disclosed.length }) }));
    } catch (e) {
      replace(qrSlot, errorBox(e));
    }
  };
  answer.addEventListener('click', send);
  const show = async () => {
    clearTimeout(timer);
    const disclose = disclosed();
    let p;
    try {
      p = await api(`/api/v1/me/wallet/${encodeURIComponent(l.id)}/present`, { method: 'POST', body: { disclose } });
    } catch (e) {
      const needsFace = e instanceof ApiError && e.status === 403;
      replace(qrSlot, errorBox(e), needsFace ? h('p', {}, h('a', { class: 'btn', href: stepUpLink, text: t('web-present-face-check') })) : null);
      return;
    }
    if (stopped) return;
    const img = h('img', { class: 'qr', alt: t('web-present-qr-alt', { licence: l.type_name }), width: '320', height: '320',
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(p.qr_svg)}` });
    const token = h('textarea', { id: 'present-token', readonly: true, rows: '3', class: 'token' });
    token.value = p.token;
    const copy = h('button', { type: 'button', class: 'btn small', text: t('web-present-copy') });
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(p.token);
        copy.textContent = t('web-present-copied');
      } catch {
        token.select();
      }
    });
    const simple = elder();
    const again = simple ? h('button', { type: 'button', class: 'btn', id: 'refresh-qr', text: t('web-present-refresh') }) : null;
    again?.addEventListener('click', show);
    const expires = new Date(p.expires_at).getTime();
    replace(qrSlot, h('div', { class: 'qr-box card' }, img,
      h('p', { class: 'qr-code-text', text: t('web-present-code', { code: p.code }) }),
      h('p', { class: 'muted small', text: simple
        ? t('web-present-valid-manual', { until: when(p.expires_at), count: (p.disclosed || disclose).length })
        : t('web-present-valid-auto', { until: when(p.expires_at), count: (p.disclosed || disclose).length }) }),
      again,
      h('label', { for: 'present-token', class: 'small', text: t('web-present-token') }), token, copy));
    if (!refreshed) img.scrollIntoView({ block: 'center' });
    refreshed = true;
    if (!simple) {
      const wait = Math.max(5000, (Number.isFinite(expires) ? expires - Date.now() : 300000) - REFRESH_BEFORE_MS);
      timer = setTimeout(show, wait);
    }
  };
  present.addEventListener('click', show);
  replace(view,
    heading,
    h('div', { class: 'card' },
      masked
        ? h('p', { class: 'note', id: 'masked-note' }, t('web-wallet-masked'), ' ', h('a', { href: stepUpLink, text: t('web-present-face-check') }))
        : h('p', { class: 'ok small', id: 'full-note', text: t('web-wallet-full') }),
      h('dl', { class: 'facts' },
        [[t('web-wallet-number'), l.number], [t('web-wallet-authority'), l.authority], [t('web-wallet-issued-on'), l.issued_on],
          [t('web-wallet-expires'), l.expires_on || t('web-wallet-validity-no_expiry')],
          [t('web-wallet-status'), validity(l)],
          ...l.fields.map((f) => [f.label, f.value])].map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v || '—' })])),
      l.renewal_service && (l.validity === 'expiring' || l.validity === 'expired')
        ? h('p', {}, h('a', { class: 'btn', href: `/items/${encodeURIComponent(l.renewal_service)}`, text: t('web-wallet-renew') })) : null),
    section(t('web-present-title'), choices, sensitiveNote, present,
      h('div', { class: 'form' }, h('label', { for: 'request-code', text: t('web-present-request-code') }), requestCode, answer),
      qrSlot),
    h('p', {}, h('a', { href: '/wallet', text: t('web-wallet-back') })));
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
