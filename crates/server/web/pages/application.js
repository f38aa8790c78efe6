// 办件: the step-by-step flow (leave at any step, resume at the saved one),
// submission, the result in a standard form, and the timeline.

import { api } from '../api.js';
import { errorBox, h, pageTitle, replace, section, status, when } from '../dom.js';
import { listSeparator, t } from '../i18n.js';
import { draftProgress } from './me.js';

/** The answer's key in a step (a data key the departments read, kept in Chinese). */
const ANSWER_KEY = '\u586b\u5199\u5185\u5bb9';

const EDITABLE = new Set(['draft', 'waiting']);

/** Renders one application into `view`. */
export async function render(view, ctx) {
  const [id] = ctx.params;
  const heading = pageTitle(t('web-app-title'));
  replace(view, heading, status(t('web-loading')));
  let app;
  try {
    app = await api(`/api/v1/me/applications/${encodeURIComponent(id)}`);
  } catch (e) {
    replace(view, heading, errorBox(e, t('web-app-unreadable')), h('a', { class: 'btn', href: `/me?next=${encodeURIComponent(location.pathname)}`, text: t('web-wallet-login') }));
    return;
  }
  if (!ctx.alive()) return;
  draw(view, heading, app, ctx, app.current_step);
}

function draw(view, heading, app, ctx, shownStep) {
  heading.textContent = app.item_title;
  document.title = t('web-doc-title', { page: app.item_title });
  const head = h('div', { class: 'app-head' },
    h('span', { class: `tag st-${app.status}`, text: app.status_label }),
    h('span', { class: 'muted small', text: t('web-app-number', { id: app.id }) }));
  const parts = [heading, head];
  const editable = EDITABLE.has(app.status);
  if (editable) parts.push(flow(view, heading, app, ctx, shownStep));
  if (app.result) {
    parts.push(section(t('web-app-result'), h('dl', { class: 'facts result' },
      [[t('web-app-item'), app.item_title], [t('web-app-number-label'), app.id], [t('web-app-status'), app.status_label],
        ...Object.entries(app.result)].map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]))));
  }
  if (!editable && Object.keys(app.answers || {}).length) {
    parts.push(section(t('web-app-answers'), h('dl', { class: 'facts' },
      (app.steps || []).map((s, i) => {
        const a = (app.answers || {})[String(i)];
        return a ? [h('dt', { text: s }), h('dd', { text: Object.values(a).join(listSeparator()) })] : [];
      }))));
  }
  if (!['withdrawn', 'rejected', 'completed'].includes(app.status)) parts.push(visitSlot(app));
  parts.push(section(t('web-app-progress'), h('ol', { class: 'timeline' }, (app.timeline || []).slice().reverse().map((ev) =>
    h('li', { class: `tl st-${ev.status}` },
      h('p', { class: 'tl-head' }, h('strong', { text: ev.status_label }), h('time', { datetime: ev.at, text: when(ev.at) })),
      ev.note ? h('p', { text: ev.note }) : null,
      h('p', { class: 'muted small', text: ev.actor }))))));
  parts.push(h('p', {}, h('a', { href: '/me/applications', text: t('web-app-back') })));
  replace(view, parts);
}

function flow(view, heading, app, ctx, shownStep) {
  const steps = app.steps || [];
  const total = steps.length;
  const allSaved = app.current_step >= total;
  const step = Math.min(shownStep, Math.max(total - 1, 0));
  const stepper = h('ol', { class: 'stepper', 'aria-label': t('web-item-steps') }, steps.map((s, i) => {
    const done = i < app.current_step;
    const cls = i === step && !allSaved ? 'current' : done ? 'done' : 'todo';
    const label = h('span', { class: 'step-name', text: s });
    const li = h('li', { class: cls, 'aria-current': i === step && !allSaved ? 'step' : null });
    if (done && i !== step) {
      const b = h('button', { type: 'button', class: 'linkish', 'aria-label': t('web-app-edit-step', { n: i + 1, step: s }) }, label);
      b.addEventListener('click', () => draw(view, heading, app, ctx, i));
      li.append(h('span', { class: 'dot', 'aria-hidden': 'true', text: '✓' }), b);
    } else {
      li.append(h('span', { class: 'dot', 'aria-hidden': 'true', text: String(i + 1) }), label);
    }
    return li;
  }));
  const msg = h('div', { role: 'status' });
  if (allSaved && shownStep >= total) {
    const submit = h('button', { type: 'button', class: 'btn primary wide', text: t('web-app-submit') });
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
      h('h2', { id: 'flow-h', text: t('web-app-confirm') }), stepper,
      h('p', { class: 'step-count', text: draftProgress(app) }),
      h('p', { text: t('web-app-all-filled') }), submit, msg);
  }
  const saved = (app.answers || {})[String(step)] || {};
  const field = h('textarea', { id: 'step-answer', name: 'answer', rows: '3', required: true, maxlength: '500' });
  field.value = saved[ANSWER_KEY] || Object.values(saved)[0] || '';
  const form = h('form', { class: 'step-form' },
    h('p', { class: 'step-count', text: t('web-app-step-of', { n: step + 1, count: total, done: Math.min(app.current_step, total) }) }),
    h('h3', { class: 'step-title', text: steps[step] }),
    h('label', { for: 'step-answer', text: t('web-app-fill', { step: steps[step] }) }),
    field,
    h('div', { class: 'row-btns' },
      step > 0 ? h('button', { type: 'button', class: 'btn', 'data-act': 'back', text: t('web-app-prev') }) : null,
      h('button', { type: 'submit', class: 'btn primary', text: step + 1 < total ? t('web-app-save-next') : t('web-profile-save') }),
      h('a', { class: 'btn ghost', href: '/me/applications', text: t('web-app-later') })),
    msg);
  form.addEventListener('click', (e) => {
    if (e.target.closest('[data-act=back]')) draw(view, heading, app, ctx, step - 1);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = field.value.trim();
    if (!value) {
      replace(msg, h('p', { class: 'error', role: 'alert', text: t('web-app-fill-required') }));
      field.focus();
      return;
    }
    try {
      const next = await api(`/api/v1/me/applications/${encodeURIComponent(app.id)}/steps/${step}`, {
        method: 'PUT', body: { answers: { [ANSWER_KEY]: value } },
      });
      draw(view, heading, next, ctx, Math.max(next.current_step, step + 1));
      view.querySelector('#step-answer, .stepper + p + button, h2')?.focus();
    } catch (err) {
      replace(msg, errorBox(err));
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'flow-h' },
    h('h2', { id: 'flow-h', text: t('web-app-online') }),
    h('p', { class: 'muted small', text: t('web-app-resume-note') }),
    stepper, form);
}

/**
 * The in-person step: when halls book this service, a link to book a visit
 * for this application (the booking then shows on the timeline). Filled in
 * when the hall listing answers; a service no hall books shows nothing.
 */
function visitSlot(app) {
  const slot = h('div');
  api(`/api/v1/items/${encodeURIComponent(app.item_id)}/slots?days=1`).then(() => {
    const href = `/items/${encodeURIComponent(app.item_id)}/book?application=${encodeURIComponent(app.id)}`;
    replace(slot, section(t('web-app-visit'),
      h('p', { class: 'muted small', text: t('web-app-visit-note') }),
      h('a', { class: 'btn', href, text: t('web-app-visit-book') })));
  }, () => {});
  return slot;
}
