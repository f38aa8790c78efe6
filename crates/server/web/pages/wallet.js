// 卡证: the wallet (cards and certificates), one licence in detail, and 出示:
// a QR code of a selective-disclosure presentation, refreshed before it
// expires.

import { api, ApiError, loggedIn } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status, when } from '../dom.js';

const VALIDITY = { no_expiry: '长期有效', valid: '有效', expiring: '即将到期', expired: '已过期' };
const REFRESH_BEFORE_MS = 30000;

/** Renders the wallet or one licence into `view`. */
export async function render(view, ctx) {
  const [id] = ctx.params;
  if (!loggedIn()) {
    replace(view, pageTitle('我的证照'),
      h('div', { class: 'card' }, h('p', { text: '登录后查看和出示您的电子证照。' }),
        h('a', { class: 'btn primary', href: '/me?next=/wallet', text: '去登录' })),
      h('p', {}, h('a', { href: '/verify', text: '核验他人出示的证照 ›' })));
    return;
  }
  return id ? detail(view, ctx, id) : list(view, ctx);
}

async function list(view, ctx) {
  const heading = pageTitle('我的证照');
  replace(view, heading, status('正在加载…'));
  let w;
  try {
    w = await api('/api/v1/me/wallet');
  } catch (e) {
    replace(view, heading, errorBox(e));
    return;
  }
  if (!ctx.alive()) return;
  const msg = h('div', { role: 'status' });
  const add = h('button', { type: 'button', class: 'btn', text: '从发证机关添加证照' });
  add.addEventListener('click', async () => {
    try {
      const r = await api('/api/v1/me/wallet', { method: 'POST', body: {} });
      const refused = (r.refused || []).map((x) => `${x.type_name}（已被发证机关吊销）`);
      if (r.added > 0) {
        ctx.navigate('/wallet', { replace: true });
        return;
      }
      replace(msg, h('p', { class: 'note', text: refused.length
        ? `没有可添加的新证照。以下证照不能添加：${refused.join('、')}。`
        : '没有可添加的新证照：发证机关的证照都已在您的证照夹中。' }));
    } catch (e) {
      replace(msg, errorBox(e, e instanceof ApiError && e.status === 403 ? '需先完成实名认证' : undefined));
    }
  });
  const cards = w.items.filter((i) => i.kind === 'card');
  const certs = w.items.filter((i) => i.kind !== 'card');
  const grid = (items) => h('ul', { class: 'licences' }, items.map((l, n) =>
    h('li', {}, h('a', { class: `licence lc${n % 4}${l.revoked ? ' revoked' : ''}`, href: `/wallet/${encodeURIComponent(l.id)}` },
      h('span', { class: 'lc-name', text: l.type_name }),
      h('span', { class: 'lc-number', text: l.number }),
      h('span', { class: 'lc-meta' }, h('span', { class: `tag v-${l.validity}`, text: l.revoked ? '已吊销' : VALIDITY[l.validity] || l.validity }),
        l.expires_on ? ` 有效期至 ${l.expires_on}` : '')))));
  replace(view, heading,
    w.expiring ? h('p', { class: 'warn', role: 'note', text: `您有 ${w.expiring} 个证照即将到期，请及时办理换领。` }) : null,
    cards.length ? section('电子卡包', grid(cards)) : null,
    certs.length ? section('电子证照', grid(certs)) : null,
    w.items.length ? null : h('p', { class: 'muted card', text: '还没有证照。' }),
    h('div', { class: 'actions' }, add, msg),
    h('p', {}, h('a', { href: '/verify', text: '核验他人出示的证照 ›' })));
}

async function detail(view, ctx, id) {
  const heading = pageTitle('证照详情');
  replace(view, heading, status('正在加载…'));
  let l;
  try {
    l = await api(`/api/v1/me/wallet/${encodeURIComponent(id)}`);
  } catch (e) {
    replace(view, heading, errorBox(e), h('a', { href: '/wallet', text: '‹ 返回我的证照' }));
    return;
  }
  if (!ctx.alive()) return;
  heading.textContent = l.type_name;
  document.title = `${l.type_name} · 粤搜`;
  let timer = 0;
  let stopped = false;
  let refreshed = false;
  const qrSlot = h('div', { class: 'qr-slot', 'aria-live': 'polite' });
  const choices = h('fieldset', { class: 'disclose' },
    h('legend', { text: '选择出示的信息（未勾选的不会透露）' }),
    l.fields.map((f) => h('div', { class: 'check' },
      h('input', { type: 'checkbox', id: `d-${f.name}`, value: f.name, checked: !f.sensitive }),
      h('label', { for: `d-${f.name}`, text: f.label }))));
  const present = h('button', { type: 'button', class: 'btn primary wide', text: '出示二维码', disabled: l.revoked });
  const requestCode = h('input', { id: 'request-code', name: 'request', autocomplete: 'off', maxlength: '16', inputmode: 'latin', spellcheck: 'false' });
  const answer = h('button', { type: 'button', class: 'btn', text: '向核验方出示', disabled: l.revoked });
  const fromLink = new URLSearchParams(location.search).get('request');
  if (fromLink) requestCode.value = fromLink;
  const sensitiveNote = h('p', { class: 'muted small', text: `敏感信息（${l.fields.filter((f) => f.sensitive).map((f) => f.label).join('、')}）需在 15 分钟内完成人脸核验后才能出示。` });
  const send = async () => {
    const disclose = [...choices.querySelectorAll('input:checked')].map((c) => c.value);
    try {
      const p = await api(`/api/v1/me/wallet/${encodeURIComponent(l.id)}/present`, { method: 'POST', body: { disclose, request: requestCode.value.trim() } });
      replace(qrSlot, h('p', { class: 'note', role: 'status', text: `已向「${p.verifier}」出示 ${p.disclosed.length} 项信息。` }));
    } catch (e) {
      replace(qrSlot, errorBox(e));
    }
  };
  answer.addEventListener('click', send);
  const show = async () => {
    clearTimeout(timer);
    const disclose = [...choices.querySelectorAll('input:checked')].map((c) => c.value);
    let p;
    try {
      p = await api(`/api/v1/me/wallet/${encodeURIComponent(l.id)}/present`, { method: 'POST', body: { disclose } });
    } catch (e) {
      replace(qrSlot, errorBox(e));
      return;
    }
    if (stopped) return;
    const img = h('img', { class: 'qr', alt: `${l.type_name}出示二维码`, width: '320', height: '320',
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(p.qr_svg)}` });
    const token = h('textarea', { id: 'present-token', readonly: true, rows: '3', class: 'token' });
    token.value = p.token;
    const copy = h('button', { type: 'button', class: 'btn small', text: '复制令牌' });
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(p.token);
        copy.textContent = '已复制';
      } catch {
        token.select();
      }
    });
    const expires = new Date(p.expires_at).getTime();
    replace(qrSlot, h('div', { class: 'qr-box card' }, img,
      h('p', { class: 'muted small' }, `核验码 ${p.code}，有效至 ${when(p.expires_at)}，只能核验一次，到期前自动刷新。出示：${(p.disclosed || disclose).length} 项信息`),
      h('label', { for: 'present-token', class: 'small', text: '出示令牌（可粘贴到核验页）' }), token, copy));
    if (!refreshed) img.scrollIntoView({ block: 'center' });
    refreshed = true;
    const wait = Math.max(5000, (Number.isFinite(expires) ? expires - Date.now() : 300000) - REFRESH_BEFORE_MS);
    timer = setTimeout(show, wait);
  };
  present.addEventListener('click', show);
  replace(view,
    heading,
    h('div', { class: 'card' }, h('dl', { class: 'facts' },
      [['证照号码', l.number], ['发证机关', l.authority], ['签发日期', l.issued_on], ['有效期至', l.expires_on || '长期'],
        ['状态', l.revoked ? '已吊销' : VALIDITY[l.validity] || l.validity],
        ...l.fields.map((f) => [f.label, f.value])].map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v || '—' })])),
    l.renewal_service && (l.validity === 'expiring' || l.validity === 'expired')
      ? h('p', {}, h('a', { class: 'btn', href: `/items/${encodeURIComponent(l.renewal_service)}`, text: '去办理换证' })) : null),
    section('出示证照', choices, sensitiveNote, present,
      h('div', { class: 'form' }, h('label', { for: 'request-code', text: '或输入核验方给出的请求码' }), requestCode, answer),
      qrSlot),
    h('p', {}, h('a', { href: '/wallet', text: '‹ 返回我的证照' })));
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
