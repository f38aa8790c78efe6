// 服务详情: 办理须知 first (the essentials), steps, materials, login level,
// nearest halls with distance, and starting or resuming an application.

import { api, ApiError, loggedIn, qs } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status } from '../dom.js';
import { getPlace, locate, placePosition } from '../place.js';

const LEVELS = { L1: '注册用户（L1）', L2: '实名认证（L2）', L3: '人脸核验（L3）' };

/** Renders a service item into `view`. */
export async function render(view, ctx) {
  const [id] = ctx.params;
  const heading = pageTitle('服务详情');
  replace(view, heading, status('正在加载…'));
  let item;
  try {
    item = await api(`/api/v1/items/${encodeURIComponent(id)}`, { auth: false });
  } catch (e) {
    replace(view, heading, errorBox(e, e instanceof ApiError && e.status === 404 ? '没有找到这项服务' : undefined));
    return;
  }
  if (!ctx.alive()) return;
  heading.textContent = item.title;
  document.title = `${item.title} · 粤搜`;

  const licencesSlot = h('div');
  api(`/api/v1/items/${encodeURIComponent(item.id)}/licences`, { auth: false }).then((r) => {
    const list = (r && r.licences) || [];
    if (list.length) {
      replace(licencesSlot, h('p', { class: 'small' }, h('strong', { text: '可用电子证照：' }),
        list.map((l) => `${l.name}${l.renewal ? '（本事项为其换证服务）' : ''}`).join('、'),
        loggedIn() ? [' · ', h('a', { href: '/wallet', text: '我的证照' })] : null));
    }
  }).catch(() => {});
  const ways = [item.online ? '网上办' : null, item.in_person ? '窗口办' : null].filter(Boolean).join('、') || '见办事指南';
  const level = item.login_level ? LEVELS[item.login_level] || item.login_level : '无需登录';
  const essentials = h('section', { class: 'card essentials', 'aria-labelledby': 'must' },
    h('h2', { id: 'must', text: '办理须知' }),
    item.description ? h('p', { class: 'lead', text: item.description }) : null,
    h('dl', { class: 'facts' },
      fact('办理方式', ways),
      fact('登录要求', level),
      fact('事项类型', item.service_type || '—'),
      fact('服务对象', (item.audience || []).join('、') || '—'),
      fact('实施部门', item.department),
      fact('办理步骤', `${(item.steps || []).length} 步`),
      fact('所需材料', `${(item.materials || []).length} 项`)),
    licencesSlot);

  const action = h('div', { class: 'actions' });
  const actionMsg = h('div', { role: 'status' });
  const start = h('button', { type: 'button', class: 'btn primary wide', text: loggedIn() ? '在线办理（开始或继续）' : '登录后办理' });
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
          `办理此事项需要 ${LEVELS[e.problem.level] || e.problem.level}。`,
          h('a', { href: '/me', text: '去提升认证等级' })));
      } else {
        replace(actionMsg, errorBox(e));
      }
    }
  });
  action.append(start, actionMsg);

  const hallsSlot = h('div');
  replace(view,
    h('nav', { class: 'crumbs', 'aria-label': '位置' },
      h('a', { href: `/search${qs({ category: item.category })}`, text: item.category }), ' › ',
      h('a', { href: `/search${qs({ category: item.category, theme: item.theme })}`, text: item.theme })),
    heading,
    essentials,
    action,
    (item.steps || []).length ? section('办理流程', h('ol', { class: 'steps' }, item.steps.map((s) => h('li', { text: s })))) : null,
    (item.materials || []).length ? section('申请材料', h('ul', { class: 'bullets' }, item.materials.map((m) => h('li', { text: m })))) : null,
    hallsSlot,
    item.url ? h('p', { class: 'muted small' }, '官方办事入口：', h('a', { href: item.url, rel: 'noopener noreferrer', target: '_blank', text: item.url })) : null);
  if (item.in_person !== false) await showHalls(hallsSlot, item.id);
}

function fact(label, value) {
  return [h('dt', { text: label }), h('dd', { text: value })];
}

async function showHalls(slot, itemId) {
  const pos = placePosition(getPlace());
  if (!pos) {
    const btn = h('button', { type: 'button', class: 'btn', text: '使用我的位置查找' });
    const msg = h('p', { class: 'muted small', role: 'status' });
    btn.addEventListener('click', async () => {
      msg.textContent = '正在定位…';
      try {
        await locate();
        await showHalls(slot, itemId);
      } catch (e) {
        msg.textContent = e.message;
      }
    });
    replace(slot, section('附近服务大厅', h('p', { class: 'muted', text: '定位或在搜索页选择城市后显示最近的服务大厅。' }), btn, msg));
    return;
  }
  let halls;
  try {
    halls = (await api(`/api/v1/halls${qs({ lat: pos.lat.toFixed(5), lng: pos.lng.toFixed(5), item: itemId, size: 3 })}`, { auth: false })).halls || [];
  } catch (e) {
    replace(slot, section('附近服务大厅', errorBox(e)));
    return;
  }
  replace(slot, section('附近服务大厅', halls.length
    ? h('ul', { class: 'halls' }, halls.map((hall) => h('li', { class: 'hall' },
      h('p', { class: 'hall-name' }, h('strong', { text: hall.name }), h('span', { class: 'dist', text: distance(hall.distance_m) })),
      h('p', { class: 'muted small', text: hall.address }),
      hall.opening_hours ? h('p', { class: 'muted small', text: `办公时间：${hall.opening_hours}` }) : null,
      hall.phone ? h('p', { class: 'muted small' }, '电话：', h('a', { href: `tel:${hall.phone}`, text: hall.phone })) : null)))
    : h('p', { class: 'muted', text: '附近没有可办理此事项的服务大厅' })));
}

function distance(m) {
  if (typeof m !== 'number') return '';
  return m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`;
}
