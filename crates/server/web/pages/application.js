// 办件: the step-by-step flow (leave at any step, resume at the saved one),
// submission, the result in a standard form, and the timeline.

import { api } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status, when } from '../dom.js';

const EDITABLE = new Set(['draft', 'waiting']);

/** Renders one application into `view`. */
export async function render(view, ctx) {
  const [id] = ctx.params;
  const heading = pageTitle('办件详情');
  replace(view, heading, status('正在加载…'));
  let app;
  try {
    app = await api(`/api/v1/me/applications/${encodeURIComponent(id)}`);
  } catch (e) {
    replace(view, heading, errorBox(e, '无法读取该办件，请先登录'), h('a', { class: 'btn', href: '/me', text: '去登录' }));
    return;
  }
  if (!ctx.alive()) return;
  draw(view, heading, app, ctx, app.current_step);
}

function draw(view, heading, app, ctx, shownStep) {
  heading.textContent = app.item_title;
  document.title = `${app.item_title} · 办件 · 粤搜`;
  const head = h('div', { class: 'app-head' },
    h('span', { class: `tag st-${app.status}`, text: app.status_label }),
    h('span', { class: 'muted small', text: `办件编号 ${app.id}` }));
  const parts = [heading, head];
  const editable = EDITABLE.has(app.status);
  if (editable) parts.push(flow(view, heading, app, ctx, shownStep));
  if (app.result) {
    parts.push(section('办理结果', h('dl', { class: 'facts result' },
      [['事项名称', app.item_title], ['办件编号', app.id], ['办理状态', app.status_label],
        ...Object.entries(app.result)].map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]))));
  }
  if (!editable && Object.keys(app.answers || {}).length) {
    parts.push(section('已填写内容', h('dl', { class: 'facts' },
      (app.steps || []).map((s, i) => {
        const a = (app.answers || {})[String(i)];
        return a ? [h('dt', { text: s }), h('dd', { text: Object.values(a).join('；') })] : [];
      }))));
  }
  parts.push(section('办理进度', h('ol', { class: 'timeline' }, (app.timeline || []).slice().reverse().map((t) =>
    h('li', { class: `tl st-${t.status}` },
      h('p', { class: 'tl-head' }, h('strong', { text: t.status_label }), h('time', { datetime: t.at, text: when(t.at) })),
      t.note ? h('p', { text: t.note }) : null,
      h('p', { class: 'muted small', text: t.actor }))))));
  parts.push(h('p', {}, h('a', { href: '/me/applications', text: '‹ 返回我的办件' })));
  replace(view, parts);
}

function flow(view, heading, app, ctx, shownStep) {
  const steps = app.steps || [];
  const total = steps.length;
  const allSaved = app.current_step >= total;
  const step = Math.min(shownStep, Math.max(total - 1, 0));
  const stepper = h('ol', { class: 'stepper', 'aria-label': '办理步骤' }, steps.map((s, i) => {
    const done = i < app.current_step;
    const cls = i === step && !allSaved ? 'current' : done ? 'done' : 'todo';
    const label = h('span', { class: 'step-name', text: s });
    const li = h('li', { class: cls, 'aria-current': i === step && !allSaved ? 'step' : null });
    if (done && i !== step) {
      const b = h('button', { type: 'button', class: 'linkish', 'aria-label': `修改第 ${i + 1} 步：${s}` }, label);
      b.addEventListener('click', () => draw(view, heading, app, ctx, i));
      li.append(h('span', { class: 'dot', 'aria-hidden': 'true', text: '✓' }), b);
    } else {
      li.append(h('span', { class: 'dot', 'aria-hidden': 'true', text: String(i + 1) }), label);
    }
    return li;
  }));
  const msg = h('div', { role: 'status' });
  if (allSaved && shownStep >= total) {
    const submit = h('button', { type: 'button', class: 'btn primary wide', text: '提交申请' });
    submit.addEventListener('click', async () => {
      submit.disabled = true;
      try {
        const next = await api(`/api/v1/me/applications/${encodeURIComponent(app.id)}/submit`, { method: 'POST' });
        draw(view, heading, next, ctx, next.current_step);
      } catch (e) {
        submit.disabled = false;
        replace(msg, errorBox(e));
      }
    });
    return h('section', { class: 'card', 'aria-labelledby': 'flow-h' },
      h('h2', { id: 'flow-h', text: '确认提交' }), stepper,
      h('p', { text: '所有步骤均已填写。提交后由部门受理，可在“我的办件”查看进度。' }), submit, msg);
  }
  const saved = (app.answers || {})[String(step)] || {};
  const field = h('textarea', { id: 'step-answer', name: 'answer', rows: '3', required: true, maxlength: '500' });
  field.value = saved['填写内容'] || Object.values(saved)[0] || '';
  const form = h('form', { class: 'step-form' },
    h('p', { class: 'step-count', text: `第 ${step + 1} 步，共 ${total} 步` }),
    h('h3', { class: 'step-title', text: steps[step] }),
    h('label', { for: 'step-answer', text: `请填写“${steps[step]}”所需信息` }),
    field,
    h('div', { class: 'row-btns' },
      step > 0 ? h('button', { type: 'button', class: 'btn', 'data-act': 'back', text: '上一步' }) : null,
      h('button', { type: 'submit', class: 'btn primary', text: step + 1 < total ? '保存并下一步' : '保存' }),
      h('a', { class: 'btn ghost', href: '/me/applications', text: '稍后继续' })),
    msg);
  form.addEventListener('click', (e) => {
    if (e.target.closest('[data-act=back]')) draw(view, heading, app, ctx, step - 1);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = field.value.trim();
    if (!value) {
      replace(msg, h('p', { class: 'error', role: 'alert', text: '请填写本步骤内容' }));
      field.focus();
      return;
    }
    try {
      const next = await api(`/api/v1/me/applications/${encodeURIComponent(app.id)}/steps/${step}`, {
        method: 'PUT', body: { answers: { 填写内容: value } },
      });
      draw(view, heading, next, ctx, Math.max(next.current_step, step + 1));
      view.querySelector('#step-answer, .stepper + p + button, h2')?.focus();
    } catch (err) {
      replace(msg, errorBox(err));
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'flow-h' },
    h('h2', { id: 'flow-h', text: '在线办理' }),
    h('p', { class: 'muted small', text: '每一步保存后即可离开，下次从保存处继续。' }),
    stepper, form);
}
