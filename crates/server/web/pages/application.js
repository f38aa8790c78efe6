// 办件: the step-by-step flow (leave at any step, resume at the saved one),
// submission, the result in a standard form, and the timeline.
//
// A draft with a typed flow (`app.flow`, stored when it started) shows typed
// inputs per form step — text, number, native date pickers, choices as
// radios or a select, yes/no, ID and phone numbers with their keyboards, an
// address as division code + street for now — prefilled from the person's
// identity (read-only at L2), with the server's field errors next to each
// field in the reader's language. Drafts from before keep one text box.

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
        if (!a || !Object.keys(a).length) return [];
        const fields = app.flow ? stepFields(app.flow, i) : [];
        const shown = Object.entries(a).map(([k, v]) => {
          const f = fields.find((x) => x.name === k);
          return f ? `${f.label}：${shownValue(v)}` : shownValue(v);
        });
        return [h('dt', { text: s }), h('dd', { text: shown.join(listSeparator()) })];
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
  if (app.flow) return typedFlow(view, heading, app, ctx, step, stepper, msg);
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

/** The fields of step `i` of a flow (none for other kinds of step). */
function stepFields(flow, i) {
  const step = (flow.steps || [])[i];
  return (step && step.kind === 'form' && step.fields) || [];
}

/** An answer as text: 是/否, an address's area and street, else as is. */
function shownValue(v) {
  if (v === true) return t('web-app-yes');
  if (v === false) return t('web-app-no');
  if (v && typeof v === 'object') return `${v.name || v.code || ''}${v.detail || ''}`;
  return String(v ?? '');
}

/** A relative date bound (`today`, `today-30d`, `YYYY-MM-DD`) as a date in China. */
function resolveDate(bound) {
  if (!bound) return null;
  const m = /^today([+-]\d+)d?$/.exec(bound);
  if (bound !== 'today' && !m) return bound;
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  now.setUTCDate(now.getUTCDate() + (m ? Number(m[1]) : 0));
  return now.toISOString().slice(0, 10);
}

/**
 * One typed field: its label, help, input(s) and the place its server error
 * goes. Returns `{ row, read, show }`: `read()` gives the answer to send
 * (undefined for none), `show(message)` puts an error next to it.
 */
function typedField(field, value, locked) {
  const id = `f-${field.name}`;
  const errId = `${id}-err`;
  const helpId = `${id}-help`;
  const err = h('p', { class: 'field-error', id: errId, hidden: true });
  const help = field.help ? h('p', { class: 'muted small', id: helpId, text: field.help }) : null;
  const described = [help ? helpId : null, errId].filter(Boolean).join(' ');
  const common = { id, name: field.name, 'aria-describedby': described, readonly: locked, 'aria-required': field.required ? 'true' : null };
  let inputs;
  let read;
  const label = h('label', { for: id, text: field.label + (field.required ? '' : t('web-app-optional')) });
  switch (field.type) {
    case 'number': {
      const step = field.decimals ? String(10 ** -field.decimals) : '1';
      const input = h('input', { ...common, type: 'number', inputmode: field.decimals ? 'decimal' : 'numeric', step, min: field.min, max: field.max });
      if (value !== undefined && value !== null) input.value = String(value);
      inputs = field.unit ? h('span', { class: 'with-unit' }, input, h('span', { text: field.unit })) : input;
      read = () => (input.value.trim() === '' ? undefined : Number(input.value));
      break;
    }
    case 'date': {
      const input = h('input', { ...common, type: 'date', min: resolveDate(field.min_date), max: resolveDate(field.max_date) });
      if (typeof value === 'string') input.value = value;
      inputs = input;
      read = () => input.value || undefined;
      break;
    }
    case 'choice':
    case 'yes_no': {
      const options = field.type === 'yes_no'
        ? [[true, t('web-app-yes')], [false, t('web-app-no')]]
        : (field.options || []).map((o) => [o, o]);
      if (options.length > 4) {
        const select = h('select', { ...common },
          h('option', { value: '', text: t('web-app-choose') }),
          options.map(([v, text]) => h('option', { value: String(v), text, selected: value === v })));
        inputs = select;
        read = () => (select.value === '' ? undefined : select.value);
      } else {
        const radios = options.map(([v, text], n) => {
          const rid = `${id}-${n}`;
          const radio = h('input', { type: 'radio', id: rid, name: field.name, value: String(v), checked: value === v, disabled: locked });
          radio.dataset.value = JSON.stringify(v);
          return h('label', { class: 'choice', for: rid }, radio, h('span', { text }));
        });
        inputs = h('div', { class: 'choices', role: 'radiogroup', 'aria-labelledby': `${id}-label`, 'aria-describedby': described }, radios);
        read = () => {
          const on = inputs.querySelector('input:checked');
          return on ? JSON.parse(on.dataset.value) : undefined;
        };
        label.setAttribute('id', `${id}-label`);
        label.removeAttribute('for');
      }
      break;
    }
    case 'address': {
      const code = h('input', { ...common, type: 'text', inputmode: 'numeric', maxlength: '9', autocomplete: 'off', placeholder: t('web-app-address-code-hint') });
      const detailId = `${id}-detail`;
      const detail = h('input', { id: detailId, type: 'text', name: `${field.name}_detail`, maxlength: '100', 'aria-describedby': described, readonly: locked, autocomplete: 'street-address' });
      if (value && typeof value === 'object') {
        code.value = value.code || '';
        detail.value = value.detail || '';
      }
      inputs = h('div', { class: 'address' }, code,
        h('label', { for: detailId, class: 'small', text: t('web-app-address-detail') }), detail);
      label.textContent = `${field.label}${field.required ? '' : t('web-app-optional')}（${t('web-app-address-code')}）`;
      read = () => (code.value.trim() || detail.value.trim()
        ? { code: code.value.trim(), detail: detail.value.trim() } : undefined);
      break;
    }
    default: {
      const attrs = { ...common, maxlength: field.max_length || null };
      if (field.type === 'phone') Object.assign(attrs, { type: 'tel', inputmode: 'tel', autocomplete: 'tel', maxlength: '11' });
      else if (field.type === 'id_number' || field.type === 'uscc') Object.assign(attrs, { type: 'text', inputmode: 'text', autocapitalize: 'characters', spellcheck: 'false', autocomplete: 'off', maxlength: '18' });
      else attrs.type = 'text';
      const multiline = field.type === 'text' && (field.max_length || 0) > 200;
      const input = multiline ? h('textarea', { ...attrs, rows: '3', type: null }) : h('input', attrs);
      if (typeof value === 'string') input.value = value;
      inputs = input;
      read = () => (input.value.trim() === '' ? undefined : input.value);
    }
  }
  const row = h('div', { class: 'field' }, label, help, inputs, locked ? h('p', { class: 'muted small', text: t('web-app-locked') }) : null, err);
  const show = (message) => {
    err.hidden = !message;
    err.textContent = message || '';
    for (const el of row.querySelectorAll('input, select, textarea')) {
      if (message) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    }
  };
  return { row, read, show };
}

/** A step of a typed draft: its form, materials, or declaration. */
function typedFlow(view, heading, app, ctx, step, stepper, msg) {
  const steps = app.steps || [];
  const total = steps.length;
  const flowStep = (app.flow.steps || [])[step] || {};
  const saved = (app.answers || {})[String(step)] || {};
  const prefill = app.prefill || {};
  const locked = new Set(app.read_only || []);
  const earlier = {};
  for (const [k, a] of Object.entries(app.answers || {})) if (Number(k) < step) Object.assign(earlier, a);
  const rows = (flowStep.kind === 'form' ? flowStep.fields : []).map((field) => {
    const value = field.name in saved ? saved[field.name] : prefill[field.name];
    return { field, ...typedField(field, value, locked.has(field.name)) };
  });
  const current = () => {
    const out = {};
    for (const r of rows) {
      if (r.row.hidden || locked.has(r.field.name)) continue;
      const v = r.read();
      if (v !== undefined) out[r.field.name] = v;
    }
    return out;
  };
  // Fields that apply only for another answer (`when`) show when it holds.
  const applies = () => {
    const now = { ...earlier, ...current() };
    for (const r of rows) {
      const w = r.field.when;
      if (!w) continue;
      const holds = now[w.field] === w.equals;
      r.row.hidden = !holds;
      if (holds) now[r.field.name] = r.read();
    }
  };
  const body = [];
  if (flowStep.description) body.push(h('p', { class: 'muted small', text: flowStep.description }));
  if (flowStep.kind === 'materials') {
    body.push(h('ul', { class: 'materials' }, (flowStep.materials || []).map((m) =>
      h('li', { text: m.required === false ? `${m.name}${t('web-app-optional')}` : m.name }))));
    body.push(h('p', { class: 'muted small', text: t('web-app-materials-later') }));
  } else if (flowStep.kind === 'confirm') {
    body.push(h('p', { class: 'declaration', text: flowStep.declaration }));
  }
  const form = h('form', { class: 'step-form', novalidate: true },
    h('p', { class: 'step-count', text: t('web-app-step-of', { n: step + 1, count: total, done: Math.min(app.current_step, total) }) }),
    h('h3', { class: 'step-title', text: steps[step] }),
    body, rows.map((r) => r.row),
    h('div', { class: 'row-btns' },
      step > 0 ? h('button', { type: 'button', class: 'btn', 'data-act': 'back', text: t('web-app-prev') }) : null,
      h('button', { type: 'submit', class: 'btn primary', text: flowStep.kind === 'confirm' ? t('web-app-agree') : step + 1 < total ? t('web-app-save-next') : t('web-profile-save') }),
      h('a', { class: 'btn ghost', href: '/me/applications', text: t('web-app-later') })),
    msg);
  applies();
  form.addEventListener('change', applies);
  form.addEventListener('click', (e) => {
    if (e.target.closest('[data-act=back]')) draw(view, heading, app, ctx, step - 1);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const r of rows) r.show(null);
    replace(msg);
    try {
      const next = await api(`/api/v1/me/applications/${encodeURIComponent(app.id)}/steps/${step}`, {
        method: 'PUT', body: { answers: current() },
      });
      draw(view, heading, next, ctx, Math.max(next.current_step, step + 1));
      view.querySelector('.step-form input, .step-form select, .stepper + p + button, h2')?.focus();
    } catch (err) {
      const errors = (err.problem && err.problem.errors) || [];
      let first = null;
      for (const fe of errors) {
        const r = rows.find((x) => x.field.name === fe.field);
        if (r) {
          r.show(fe.message);
          first = first || r.row.querySelector('input, select, textarea');
        }
      }
      const unplaced = errors.filter((fe) => !rows.some((x) => x.field.name === fe.field));
      replace(msg, errorBox(err), unplaced.map((fe) => h('p', { class: 'error', text: fe.message })));
      first?.focus();
    }
  });
  const department = (app.flow.steps || []).filter((s) => s.kind === 'department');
  return h('section', { class: 'card', 'aria-labelledby': 'flow-h' },
    h('h2', { id: 'flow-h', text: t('web-app-online') }),
    h('p', { class: 'muted small', text: t('web-app-resume-note') }),
    stepper, form,
    department.length ? h('div', { class: 'dept-steps' },
      h('h3', { class: 'small', text: t('web-app-dept-steps') }),
      h('ol', {}, department.map((d) => h('li', {},
        h('span', { text: d.title }),
        h('span', { class: 'muted small', text: d.duration_days
          ? ` · ${t(d.working_days ? 'web-app-dept-working-days' : 'web-app-dept-days', { n: d.duration_days })}` : '' }))))) : null);
}
