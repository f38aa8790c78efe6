// 个人中心: login (password or SMS code), the profile with step-up (实名认证
// L2, 人脸核验 L3), the person's key figures, 显示设置 (language, 长辈版), applications by status,
// messages, feedback with replies, and editing contact details.

import { api, ApiError, loggedIn, qs, setToken } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status, when } from '../dom.js';
import { demoMode, t } from '../i18n.js';
import { displaySwitches, syncAfterLogin } from '../prefs.js';
import { keyFigures } from '../records.js';

const GROUPS = ['pending', 'processing', 'done'];
const SMS_WAIT_S = 60;

/** The label of a login level (L1–L3). */
export function levelLabel(level) {
  return ['L1', 'L2', 'L3'].includes(level) ? t(`web-level-${level}`) : t('web-level-unknown');
}

/** The label of a feedback status (open, answered, closed). */
export function feedbackStatus(s) {
  return ['open', 'answered', 'closed'].includes(s) ? t(`web-feedback-status-${s}`) : t('web-status-other');
}

/** Renders the personal centre (or the login form) into `view`. */
export async function render(view, ctx) {
  const [sub] = ctx.params;
  if (sub === 'display') return display(view);
  if (!loggedIn()) return login(view, ctx);
  if (sub === 'applications') return applications(view, ctx);
  if (sub === 'messages') return messages(view, ctx);
  if (sub === 'feedback') return feedback(view, ctx);
  if (sub === 'profile') return profileEdit(view, ctx);
  return overview(view, ctx);
}

function field(id, label, attrs = {}) {
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    h(attrs.rows ? 'textarea' : 'input', { id, name: id, ...attrs }));
}

function login(view, ctx) {
  const next = ctx.query.get('next');
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  let mode = 'password';
  let countdown = 0;
  const pwTab = h('button', { type: 'button', role: 'tab', id: 'tab-pw', 'aria-selected': 'true', 'aria-controls': 'login-form', text: t('web-login-tab-password') });
  const smsTab = h('button', { type: 'button', role: 'tab', id: 'tab-sms', 'aria-selected': 'false', 'aria-controls': 'login-form', text: t('web-login-tab-sms') });
  const pwField = field('password', t('web-login-password'), { type: 'password', autocomplete: 'current-password', required: true });
  const sendBtn = h('button', { type: 'button', id: 'send-code', class: 'btn small', text: t('web-login-send-code') });
  const smsField = h('div', { class: 'field', hidden: true },
    h('label', { for: 'sms_code', text: t('web-login-sms-code') }),
    h('div', { class: 'inline' },
      h('input', { id: 'sms_code', name: 'sms_code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6' }),
      sendBtn));
  const form = h('form', { id: 'login-form', class: 'card form', role: 'tabpanel', 'aria-labelledby': 'tab-pw' },
    field('phone', t('web-login-phone'), { type: 'tel', inputmode: 'numeric', autocomplete: 'tel', required: true, pattern: '1[0-9]{10}', maxlength: '11', placeholder: t('web-login-phone-placeholder') }),
    pwField, smsField,
    h('button', { type: 'submit', class: 'btn primary wide', text: t('web-login-submit') }),
    msg,
    // Demo accounts and the development outbox only while demo data is on.
    demoMode() ? h('aside', { class: 'demo-note', 'aria-label': t('web-demo-label') },
      h('span', { class: 'tag demo', text: t('web-demo-label') }),
      h('p', { class: 'small', text: t('web-login-demo-accounts') }),
      h('p', { class: 'small', text: t('web-login-demo-outbox') })) : null);
  const setMode = (m) => {
    mode = m;
    pwTab.setAttribute('aria-selected', String(m === 'password'));
    smsTab.setAttribute('aria-selected', String(m === 'sms'));
    form.setAttribute('aria-labelledby', m === 'password' ? 'tab-pw' : 'tab-sms');
    pwField.hidden = m !== 'password';
    smsField.hidden = m !== 'sms';
    form.querySelector('#password').required = m === 'password';
    form.querySelector('#sms_code').required = m === 'sms';
  };
  pwTab.addEventListener('click', () => setMode('password'));
  smsTab.addEventListener('click', () => setMode('sms'));
  let timer = 0;
  // The button says how long until a new code can be asked for (it was the
  // person who pressed it: the count follows their action).
  const tick = () => {
    if (!sendBtn.isConnected) return;
    if (countdown <= 0) {
      sendBtn.disabled = false;
      sendBtn.textContent = t('web-login-resend-code');
      return;
    }
    sendBtn.disabled = true;
    sendBtn.textContent = t('web-login-wait-code', { seconds: countdown });
    countdown -= 1;
    timer = setTimeout(tick, 1000);
  };
  sendBtn.addEventListener('click', async () => {
    const phone = form.querySelector('#phone').value.trim();
    if (!/^1\d{10}$/.test(phone)) {
      replace(msg, h('p', { class: 'error', role: 'alert', text: t('web-login-phone-invalid') }));
      return;
    }
    try {
      await api('/api/v1/auth/sms-codes', { method: 'POST', body: { phone, purpose: 'login' }, auth: false });
      replace(msg, h('p', { class: 'ok', text: t('web-login-code-sent') }));
      countdown = SMS_WAIT_S;
      tick();
    } catch (e) {
      replace(msg, errorBox(e));
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const phone = form.querySelector('#phone').value.trim();
    const body = mode === 'password'
      ? { phone, password: form.querySelector('#password').value }
      : { phone, sms_code: form.querySelector('#sms_code').value.trim() };
    try {
      const r = await api('/api/v1/auth/login', { method: 'POST', body, auth: false });
      clearTimeout(timer);
      setToken(r.token);
      await syncAfterLogin();
      ctx.navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/me', { replace: true });
    } catch (err) {
      replace(msg, errorBox(err, t('web-login-failed')));
    }
  });
  replace(view, pageTitle(t('web-login-title')),
    h('div', { class: 'tablist', role: 'tablist', 'aria-label': t('web-login-ways') }, pwTab, smsTab),
    form,
    h('p', {}, h('a', { href: '/me/display', text: t('web-display-link') })));
  return () => clearTimeout(timer);
}

function display(view) {
  replace(view, pageTitle(t('web-display-title')),
    h('p', { class: 'muted', text: t('web-display-intro') }),
    section(t('web-display-elder-title'), h('p', { text: t('web-display-elder-about') }), displaySwitches({ large: true })),
    h('p', {}, h('a', { href: '/me', text: t('web-back-me') })));
}

async function overview(view, ctx) {
  const heading = pageTitle(t('web-me-title'));
  replace(view, heading, status(t('web-loading')));
  let p;
  let inbox = { unread: 0 };
  try {
    [p, inbox] = await Promise.all([api('/api/v1/me/profile'), api('/api/v1/me/messages?size=1').catch(() => inbox)]);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return login(view, ctx);
    replace(view, heading, errorBox(e));
    return;
  }
  if (!ctx.alive()) return;
  const logout = h('button', { type: 'button', id: 'logout', class: 'btn ghost wide', text: t('web-me-logout') });
  logout.addEventListener('click', async () => {
    try {
      await api('/api/v1/auth/logout', { method: 'POST' });
    } catch {
      /* the token is dropped either way */
    }
    setToken(null);
    ctx.navigate('/me', { replace: true });
  });
  const stepSlot = h('div');
  const figuresSlot = h('div', { id: 'key-figures' });
  replace(view,
    heading,
    h('div', { class: 'profile card' },
      h('div', { class: 'avatar', 'aria-hidden': 'true', text: (p.name || t('web-me-avatar')).slice(0, 1) }),
      h('div', {},
        h('p', { class: 'profile-name', text: p.name || t('web-me-unverified') }),
        h('p', { class: 'muted small', text: p.phone || '' }),
        h('span', { class: `tag level-${p.level}`, text: levelLabel(p.level) }))),
    figuresSlot,
    section(t('web-display-title'), displaySwitches({ large: true }),
      h('p', { class: 'muted small', text: t('web-display-elder-about') })),
    stepSlot,
    h('ul', { class: 'list card' },
      menu('/me/applications', t('web-me-applications'), t('web-me-applications-sub')),
      menu('/wallet', t('web-me-wallet'), t('web-me-wallet-sub')),
      menu('/me/appointments', t('web-bk-mine'), t('web-bk-mine-sub')),
      menu('/me/bills', t('web-bills-title'), t('web-bills-sub')),
      menu('/me/payments', t('web-payments-title'), t('web-payments-sub')),
      menu('/me/messages', t('web-me-messages'), inbox.unread ? t('web-me-unread', { count: inbox.unread }) : t('web-me-no-unread')),
      menu('/me/feedback', t('web-me-feedback'), t('web-me-feedback-sub')),
      menu('/me/profile', t('web-me-profile'), t('web-me-profile-sub')),
      menu('/me/display', t('web-display-title'), t('web-display-sub')),
      menu('/search', t('web-me-history'), t('web-me-history-sub')),
      menu('/verify', t('web-me-verify'), t('web-me-verify-sub'))),
    logout);
  stepUp(stepSlot, p, ctx);
  return keyFigures(figuresSlot, { profile: p });
}

function menu(href, title, sub) {
  return h('li', {}, h('a', { class: 'row', href },
    h('span', { class: 'row-main' }, h('span', { class: 'row-title', text: title }), h('span', { class: 'row-sub', text: sub })),
    h('span', { class: 'chev', 'aria-hidden': 'true', text: '›' })));
}

function stepUp(slot, p, ctx) {
  const msg = h('div', { role: 'status' });
  if (p.level === 'L1' && p.account_level === 'L1') {
    const form = h('form', { class: 'form' },
      field('rn-name', t('web-realname-name'), { autocomplete: 'name', required: true, maxlength: '32' }),
      field('rn-id', t('web-realname-id'), { required: true, maxlength: '18', autocomplete: 'off' }),
      h('button', { type: 'submit', class: 'btn primary', text: t('web-realname-submit') }), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api('/api/v1/me/verification/real-name', { method: 'POST', body: {
          name: form.querySelector('#rn-name').value.trim(), id_number: form.querySelector('#rn-id').value.trim(),
        } });
        ctx.navigate('/me', { replace: true });
      } catch (err) {
        replace(msg, errorBox(err));
      }
    });
    replace(slot, section(t('web-realname-title'), h('p', { class: 'muted small', text: t('web-realname-about') }), form));
  } else if (p.level !== 'L3') {
    const form = h('form', { class: 'form' },
      field('face', t('web-face-sample'), { required: true, value: 'live-sample', autocomplete: 'off' }),
      demoMode() ? h('p', { class: 'muted small' }, h('span', { class: 'tag demo', text: t('web-demo-label') }), ' ', t('web-face-demo')) : null,
      h('button', { type: 'submit', class: 'btn primary', text: t('web-face-submit') }), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const r = await api('/api/v1/me/verification/face', { method: 'POST', body: { sample: form.querySelector('#face').value } });
        // No timed jump: the person goes on with a button.
        const on = h('a', { class: 'btn primary', href: ctx.query.get('next') || '/me', text: t('web-face-continue') });
        replace(msg, h('p', { class: 'ok', text: r.until ? t('web-face-done-until', { level: levelLabel(r.level), until: when(r.until) }) : t('web-face-done', { level: levelLabel(r.level) }) }), on);
        on.focus();
      } catch (err) {
        replace(msg, errorBox(err));
      }
    });
    replace(slot, h('details', { class: 'card stepup' },
      h('summary', { text: t('web-face-title') }),
      h('p', { class: 'muted small', text: t('web-face-about') }), form));
  }
}

function back() {
  return h('p', {}, h('a', { href: '/me', text: t('web-back-me') }));
}

/** The progress of a draft: the same words as the home page's card. */
export function draftProgress(a) {
  return t('web-app-draft-progress', { done: Math.min(a.current_step, a.step_count), count: Math.max(a.step_count, 1) });
}

async function applications(view, ctx) {
  const group = GROUPS.includes(ctx.query.get('group')) ? ctx.query.get('group') : 'pending';
  const listSlot = h('div', {}, status(t('web-loading')));
  replace(view, pageTitle(t('web-me-applications')),
    h('ul', { class: 'tabs', 'aria-label': t('web-apps-groups') }, GROUPS.map((g) =>
      h('li', {}, h('a', { href: `/me/applications${qs({ group: g })}`, 'aria-current': g === group ? 'true' : null, text: t(`web-apps-group-${g}`) })))),
    listSlot, back());
  try {
    const r = await api(`/api/v1/me/applications${qs({ group, size: 50 })}`);
    replace(listSlot, r.items.length
      ? h('ul', { class: 'list card' }, r.items.map((a) => h('li', {}, h('a', { class: 'row', href: `/me/applications/${encodeURIComponent(a.id)}` },
        h('span', { class: 'row-main' },
          h('span', { class: 'row-title', text: a.item_title }),
          h('span', { class: 'row-sub' }, h('span', { class: `tag st-${a.status}`, text: a.status_label }),
            a.status === 'draft' ? ` ${draftProgress(a)} · ` : ' ', when(a.updated_at))),
        h('span', { class: 'chev', 'aria-hidden': 'true', text: '›' })))))
      : h('p', { class: 'muted card', text: t('web-apps-empty') }));
  } catch (e) {
    replace(listSlot, errorBox(e));
  }
}

async function messages(view) {
  const listSlot = h('div', {}, status(t('web-loading')));
  const readAll = h('button', { type: 'button', class: 'btn small', text: t('web-messages-read-all') });
  replace(view, pageTitle(t('web-me-messages')), h('div', { class: 'toolbar' }, readAll), listSlot, back());
  const load = async () => {
    try {
      const r = await api('/api/v1/me/messages?size=50');
      replace(listSlot, r.items.length
        ? h('ul', { class: 'messages' }, r.items.map((m) => {
          const li = h('li', { class: `message card${m.read ? '' : ' unread'}` },
            h('p', { class: 'msg-head' }, m.read ? null : h('span', { class: 'dot-unread', role: 'img', 'aria-label': t('web-messages-unread') }),
              h('strong', { text: m.title })),
            h('p', { class: 'muted small' }, h('time', { datetime: m.created_at, text: when(m.created_at) })),
            h('p', { text: m.body }),
            m.link && m.link.startsWith('/') && !m.link.startsWith('//') ? h('p', {}, h('a', { href: m.link, text: t('web-messages-details') })) : null);
          if (!m.read) {
            const b = h('button', { type: 'button', class: 'btn small ghost', text: t('web-messages-mark-read') });
            b.addEventListener('click', async () => {
              await api(`/api/v1/me/messages/${encodeURIComponent(m.id)}/read`, { method: 'POST' }).catch(() => null);
              document.dispatchEvent(new CustomEvent('yuesou:messages'));
              load();
            });
            li.append(b);
          }
          return li;
        }))
        : h('p', { class: 'muted card', text: t('web-messages-empty') }));
    } catch (e) {
      replace(listSlot, errorBox(e));
    }
  };
  readAll.addEventListener('click', async () => {
    await api('/api/v1/me/messages/read-all', { method: 'POST' }).catch(() => null);
    document.dispatchEvent(new CustomEvent('yuesou:messages'));
    load();
  });
  await load();
}

async function feedback(view) {
  const listSlot = h('div', {}, status(t('web-loading')));
  const msg = h('div', { role: 'status' });
  const form = h('form', { class: 'form' },
    h('div', { class: 'field' }, h('label', { for: 'fb-kind', text: t('web-feedback-kind') }),
      h('select', { id: 'fb-kind' },
        h('option', { value: 'consultation', text: t('web-feedback-kind-consultation') }),
        h('option', { value: 'complaint', text: t('web-feedback-kind-complaint') }))),
    field('fb-title', t('web-feedback-title-field'), { required: true, maxlength: '50' }),
    field('fb-content', t('web-feedback-content'), { required: true, rows: '4', maxlength: '2000' }),
    h('button', { type: 'submit', class: 'btn primary', text: t('web-feedback-submit') }), msg);
  replace(view, pageTitle(t('web-me-feedback')), section(t('web-feedback-new'), form), h('h2', { class: 'plain', text: t('web-feedback-mine') }), listSlot, back());
  const load = async () => {
    try {
      const r = await api('/api/v1/me/feedback');
      const items = Array.isArray(r) ? r : r.items || [];
      replace(listSlot, items.length ? h('ul', { class: 'messages' }, items.map((f) => h('li', { class: 'card feedback-item' },
        h('p', { class: 'msg-head' }, h('strong', { text: f.title }), h('span', { class: `tag fb-${f.status}`, text: feedbackStatus(f.status) })),
        h('p', { text: f.content }),
        h('p', { class: 'muted small', text: when(f.created_at) }),
        (f.replies || []).map((rp) => h('blockquote', { class: 'reply' },
          h('p', { class: 'small' }, h('strong', { text: rp.author }), ' ', h('time', { class: 'muted', text: when(rp.created_at) })),
          h('p', { text: rp.content }))))))
        : h('p', { class: 'muted card', text: t('web-feedback-empty') }));
    } catch (e) {
      replace(listSlot, errorBox(e));
    }
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('/api/v1/me/feedback', { method: 'POST', body: {
        kind: form.querySelector('#fb-kind').value,
        title: form.querySelector('#fb-title').value.trim(),
        content: form.querySelector('#fb-content').value.trim(),
      } });
      form.reset();
      replace(msg, h('p', { class: 'ok', text: t('web-feedback-sent') }));
      load();
    } catch (err) {
      replace(msg, errorBox(err));
    }
  });
  await load();
}

async function profileEdit(view) {
  const heading = pageTitle(t('web-me-profile'));
  replace(view, heading, status(t('web-loading')));
  let p;
  try {
    p = await api('/api/v1/me/profile');
  } catch (e) {
    replace(view, heading, errorBox(e));
    return;
  }
  const sex = String(p.gender || '').toLowerCase();
  const gender = sex === 'male' || sex === 'female' ? t(`web-gender-${sex}`) : '—';
  const msg = h('div', { role: 'status' });
  const form = h('form', { class: 'form' },
    field('postal_address', t('web-profile-address'), { value: p.postal_address || '', maxlength: '200', autocomplete: 'street-address' }),
    field('contact_phone', t('web-profile-contact-phone'), { value: '', type: 'tel', placeholder: p.contact_phone ? t('web-profile-contact-now', { phone: p.contact_phone }) : '', autocomplete: 'tel' }),
    field('email', t('web-profile-email'), { value: p.email || '', type: 'email', autocomplete: 'email' }),
    h('button', { type: 'submit', class: 'btn primary', text: t('web-profile-save') }), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    for (const k of ['postal_address', 'contact_phone', 'email']) {
      const v = form.querySelector(`#${k}`).value.trim();
      if (v) body[k] = v;
    }
    try {
      await api('/api/v1/me/profile', { method: 'PATCH', body });
      replace(msg, h('p', { class: 'ok', text: t('web-profile-saved') }));
    } catch (err) {
      replace(msg, errorBox(err));
    }
  });
  replace(view, heading,
    section(t('web-profile-basic'), h('dl', { class: 'facts' },
      [[t('web-profile-name'), p.name || t('web-me-unverified')], [t('web-profile-id'), p.id_number || '—'], [t('web-profile-gender'), gender],
        [t('web-profile-birth'), p.birth_date || '—'], [t('web-login-phone'), p.phone || '—'], [t('web-profile-level'), levelLabel(p.level)]]
        .map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]))),
    section(t('web-profile-contact'), form), back());
}
