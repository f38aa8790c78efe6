// 个人中心: login (password or SMS code), the profile with step-up (实名认证
// L2, 人脸核验 L3), applications by status, messages, feedback with replies,
// and editing contact details.

import { api, ApiError, loggedIn, qs, setToken } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status, when } from '../dom.js';

const GROUPS = [['pending', '待处理'], ['processing', '处理中'], ['done', '已办结']];
const FEEDBACK_STATUS = { open: '待答复', replied: '已答复', closed: '已办结' };
const LEVELS = { L1: 'L1 注册用户', L2: 'L2 实名认证', L3: 'L3 人脸核验' };

/** Renders the personal centre (or the login form) into `view`. */
export async function render(view, ctx) {
  const [sub] = ctx.params;
  if (!loggedIn()) {
    login(view, ctx);
    return;
  }
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
  const pwTab = h('button', { type: 'button', role: 'tab', id: 'tab-pw', 'aria-selected': 'true', 'aria-controls': 'login-form', text: '密码登录' });
  const smsTab = h('button', { type: 'button', role: 'tab', id: 'tab-sms', 'aria-selected': 'false', 'aria-controls': 'login-form', text: '验证码登录' });
  const pwField = field('password', '密码', { type: 'password', autocomplete: 'current-password', required: true });
  const sendBtn = h('button', { type: 'button', class: 'btn small', text: '获取验证码' });
  const smsField = h('div', { class: 'field', hidden: true },
    h('label', { for: 'sms_code', text: '短信验证码' }),
    h('div', { class: 'inline' },
      h('input', { id: 'sms_code', name: 'sms_code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6' }),
      sendBtn));
  const form = h('form', { id: 'login-form', class: 'card form', role: 'tabpanel', 'aria-labelledby': 'tab-pw' },
    field('phone', '手机号码', { type: 'tel', inputmode: 'numeric', autocomplete: 'tel', required: true, pattern: '1[0-9]{10}', maxlength: '11', placeholder: '11 位手机号' }),
    pwField, smsField,
    h('button', { type: 'submit', class: 'btn primary wide', text: '登录' }),
    msg,
    h('p', { class: 'muted small', text: '演示账号：13800000001（已实名）、13800000002，密码 yuesou-demo。' }));
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
  sendBtn.addEventListener('click', async () => {
    const phone = form.querySelector('#phone').value.trim();
    if (!/^1\d{10}$/.test(phone)) {
      replace(msg, h('p', { class: 'error', role: 'alert', text: '请输入 11 位手机号码' }));
      return;
    }
    try {
      await api('/api/v1/auth/sms-codes', { method: 'POST', body: { phone, purpose: 'login' }, auth: false });
      replace(msg, h('p', { class: 'ok', text: '验证码已发送（开发环境见 outbox/sms.jsonl）' }));
      sendBtn.disabled = true;
      setTimeout(() => { sendBtn.disabled = false; }, 60000);
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
      setToken(r.token);
      ctx.navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/me', { replace: true });
    } catch (err) {
      replace(msg, errorBox(err, '登录失败'));
    }
  });
  replace(view, pageTitle('登录粤省事'),
    h('div', { class: 'tablist', role: 'tablist', 'aria-label': '登录方式' }, pwTab, smsTab),
    form);
}

async function overview(view, ctx) {
  const heading = pageTitle('我的');
  replace(view, heading, status('正在加载…'));
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
  const logout = h('button', { type: 'button', class: 'btn ghost wide', text: '退出登录' });
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
  replace(view,
    heading,
    h('div', { class: 'profile card' },
      h('div', { class: 'avatar', 'aria-hidden': 'true', text: (p.name || '粤').slice(0, 1) }),
      h('div', {},
        h('p', { class: 'profile-name', text: p.name || '未实名用户' }),
        h('p', { class: 'muted small', text: p.phone || '' }),
        h('span', { class: `tag level-${p.level}`, text: LEVELS[p.level] || p.level }))),
    stepSlot,
    h('ul', { class: 'list card' },
      menu('/me/applications', '我的办件', '待处理、处理中、已办结'),
      menu('/wallet', '我的证照', '电子证照与出示'),
      menu('/me/messages', '消息提醒', inbox.unread ? `${inbox.unread} 条未读` : '暂无未读'),
      menu('/me/feedback', '帮助与反馈', '咨询、建议与投诉'),
      menu('/me/profile', '个人信息', '联系方式'),
      menu('/search', '搜索历史', '在搜索页查看与清空'),
      menu('/verify', '证照核验', '核验他人出示的证照')),
    logout);
  stepUp(stepSlot, p, ctx);
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
      field('rn-name', '姓名', { autocomplete: 'name', required: true, maxlength: '32' }),
      field('rn-id', '公民身份号码', { required: true, maxlength: '18', autocomplete: 'off' }),
      h('button', { type: 'submit', class: 'btn primary', text: '提交实名认证' }), msg);
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
    replace(slot, section('实名认证（升级到 L2）', h('p', { class: 'muted small', text: '完成实名认证后可办理大部分事项、添加电子证照。' }), form));
  } else if (p.level !== 'L3') {
    const form = h('form', { class: 'form' },
      field('face', '人脸核验样本', { required: true, value: 'live-sample', autocomplete: 'off' }),
      h('p', { class: 'muted small', text: '开发环境：以 live 开头的样本视为活体通过（真实环境由摄像头采集）。' }),
      h('button', { type: 'submit', class: 'btn primary', text: '开始人脸核验' }), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const r = await api('/api/v1/me/verification/face', { method: 'POST', body: { sample: form.querySelector('#face').value } });
        replace(msg, h('p', { class: 'ok', text: `已升级到 ${r.level}${r.until ? `，有效至 ${when(r.until)}` : ''}` }));
        setTimeout(() => ctx.navigate('/me', { replace: true }), 800);
      } catch (err) {
        replace(msg, errorBox(err));
      }
    });
    replace(slot, h('details', { class: 'card stepup' },
      h('summary', { text: '提升认证等级：人脸核验（L3）' }),
      h('p', { class: 'muted small', text: '查看证照完整信息、办理部分事项需要人脸核验，有效 15 分钟。' }), form));
  }
}

function back() {
  return h('p', {}, h('a', { href: '/me', text: '‹ 返回个人中心' }));
}

async function applications(view, ctx) {
  const group = GROUPS.some(([g]) => g === ctx.query.get('group')) ? ctx.query.get('group') : 'pending';
  const listSlot = h('div', {}, status('正在加载…'));
  replace(view, pageTitle('我的办件'),
    h('ul', { class: 'tabs', 'aria-label': '办件状态' }, GROUPS.map(([g, label]) =>
      h('li', {}, h('a', { href: `/me/applications${qs({ group: g })}`, 'aria-current': g === group ? 'true' : null, text: label })))),
    listSlot, back());
  try {
    const r = await api(`/api/v1/me/applications${qs({ group, size: 50 })}`);
    replace(listSlot, r.items.length
      ? h('ul', { class: 'list card' }, r.items.map((a) => h('li', {}, h('a', { class: 'row', href: `/me/applications/${encodeURIComponent(a.id)}` },
        h('span', { class: 'row-main' },
          h('span', { class: 'row-title', text: a.item_title }),
          h('span', { class: 'row-sub' }, h('span', { class: `tag st-${a.status}`, text: a.status_label }),
            a.status === 'draft' ? ` 已完成 ${a.current_step}/${a.step_count} 步 · ` : ' ', when(a.updated_at))),
        h('span', { class: 'chev', 'aria-hidden': 'true', text: '›' })))))
      : h('p', { class: 'muted card', text: '暂无办件' }));
  } catch (e) {
    replace(listSlot, errorBox(e));
  }
}

async function messages(view) {
  const listSlot = h('div', {}, status('正在加载…'));
  const readAll = h('button', { type: 'button', class: 'btn small', text: '全部已读' });
  replace(view, pageTitle('消息提醒'), h('div', { class: 'toolbar' }, readAll), listSlot, back());
  const load = async () => {
    try {
      const r = await api('/api/v1/me/messages?size=50');
      replace(listSlot, r.items.length
        ? h('ul', { class: 'messages' }, r.items.map((m) => {
          const li = h('li', { class: `message card${m.read ? '' : ' unread'}` },
            h('p', { class: 'msg-head' }, m.read ? null : h('span', { class: 'dot-unread', role: 'img', 'aria-label': '未读' }),
              h('strong', { text: m.title })),
            h('p', { class: 'muted small' }, h('time', { datetime: m.created_at, text: when(m.created_at) })),
            h('p', { text: m.body }),
            m.link && m.link.startsWith('/') && !m.link.startsWith('//') ? h('p', {}, h('a', { href: m.link, text: '查看详情 ›' })) : null);
          if (!m.read) {
            const b = h('button', { type: 'button', class: 'btn small ghost', text: '标为已读' });
            b.addEventListener('click', async () => {
              await api(`/api/v1/me/messages/${encodeURIComponent(m.id)}/read`, { method: 'POST' }).catch(() => null);
              document.dispatchEvent(new CustomEvent('yuesou:messages'));
              load();
            });
            li.append(b);
          }
          return li;
        }))
        : h('p', { class: 'muted card', text: '暂无消息' }));
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
  const listSlot = h('div', {}, status('正在加载…'));
  const msg = h('div', { role: 'status' });
  const form = h('form', { class: 'form' },
    h('div', { class: 'field' }, h('label', { for: 'fb-kind', text: '类型' }),
      h('select', { id: 'fb-kind' }, h('option', { value: 'consultation', text: '问题咨询' }), h('option', { value: 'complaint', text: '建议投诉' }))),
    field('fb-title', '标题', { required: true, maxlength: '60' }),
    field('fb-content', '内容', { required: true, rows: '4', maxlength: '2000' }),
    h('button', { type: 'submit', class: 'btn primary', text: '提交' }), msg);
  replace(view, pageTitle('帮助与反馈'), section('我要反馈', form), h('h2', { class: 'plain', text: '我的反馈' }), listSlot, back());
  const load = async () => {
    try {
      const r = await api('/api/v1/me/feedback');
      const items = Array.isArray(r) ? r : r.items || [];
      replace(listSlot, items.length ? h('ul', { class: 'messages' }, items.map((f) => h('li', { class: 'card' },
        h('p', { class: 'msg-head' }, h('strong', { text: f.title }), h('span', { class: 'tag', text: FEEDBACK_STATUS[f.status] || f.status })),
        h('p', { text: f.content }),
        h('p', { class: 'muted small', text: when(f.created_at) }),
        (f.replies || []).map((rp) => h('blockquote', { class: 'reply' },
          h('p', { class: 'small' }, h('strong', { text: rp.author }), ' ', h('time', { class: 'muted', text: when(rp.created_at) })),
          h('p', { text: rp.content }))))))
        : h('p', { class: 'muted card', text: '暂无反馈' }));
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
      replace(msg, h('p', { class: 'ok', text: '已提交，部门答复后会通知您。' }));
      load();
    } catch (err) {
      replace(msg, errorBox(err));
    }
  });
  await load();
}

async function profileEdit(view) {
  const heading = pageTitle('个人信息');
  replace(view, heading, status('正在加载…'));
  let p;
  try {
    p = await api('/api/v1/me/profile');
  } catch (e) {
    replace(view, heading, errorBox(e));
    return;
  }
  const gender = { male: '男', female: '女', Male: '男', Female: '女' }[p.gender] || '—';
  const msg = h('div', { role: 'status' });
  const form = h('form', { class: 'form' },
    field('postal_address', '通讯地址', { value: p.postal_address || '', maxlength: '200', autocomplete: 'street-address' }),
    field('contact_phone', '联系电话', { value: '', type: 'tel', placeholder: p.contact_phone ? `当前：${p.contact_phone}（留空不修改）` : '', autocomplete: 'tel' }),
    field('email', '电子邮箱', { value: p.email || '', type: 'email', autocomplete: 'email' }),
    h('button', { type: 'submit', class: 'btn primary', text: '保存' }), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    for (const k of ['postal_address', 'contact_phone', 'email']) {
      const v = form.querySelector(`#${k}`).value.trim();
      if (v) body[k] = v;
    }
    try {
      await api('/api/v1/me/profile', { method: 'PATCH', body });
      replace(msg, h('p', { class: 'ok', text: '已保存' }));
    } catch (err) {
      replace(msg, errorBox(err));
    }
  });
  replace(view, heading,
    section('基本信息', h('dl', { class: 'facts' },
      [['姓名', p.name || '未实名'], ['证件号码', p.id_number || '—'], ['性别', gender], ['出生日期', p.birth_date || '—'],
        ['手机号码', p.phone || '—'], ['认证等级', LEVELS[p.level] || p.level]].map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]))),
    section('联系方式', form), back());
}
