// 证照核验: a one-time QR code (its link opens this page with `?code=`, or
// the code is typed), or a pasted presentation token, checked once online:
// a code is redeemed, a token verified for this platform's own verifier.

import { api } from '../api.js';
import { h, errorBox, pageTitle, replace, when } from '../dom.js';
import { t } from '../i18n.js';

/** Renders the verifier into `view`. */
export async function render(view) {
  const token = h('textarea', { id: 'verify-token', name: 'token', rows: '3', required: true, spellcheck: 'false', class: 'token' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card form' },
    h('label', { for: 'verify-token', text: t('web-verify-input') }), token,
    h('button', { type: 'submit', class: 'btn primary wide', text: t('web-verify-submit') }));
  let stream = null;
  let scanning = false;
  const stop = () => {
    scanning = false;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  };
  const scanSlot = h('div');
  if ('BarcodeDetector' in window && navigator.mediaDevices) {
    const video = h('video', { class: 'scan', muted: true, playsinline: true, hidden: true, 'aria-label': t('web-verify-camera') });
    const scan = h('button', { type: 'button', class: 'btn', text: t('web-verify-scan') });
    scan.addEventListener('click', async () => {
      try {
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        scanning = true;
        while (scanning) {
          const codes = await detector.detect(video);
          if (codes.length) {
            token.value = codeOf(codes[0].rawValue) || codes[0].rawValue;
            stop();
            video.hidden = true;
            form.requestSubmit();
            break;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      } catch (e) {
        stop();
        video.hidden = true;
        replace(out, errorBox(e, t('web-verify-no-camera')));
      }
    });
    replace(scanSlot, h('div', { class: 'actions' }, scan, video));
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = token.value.trim();
    if (!value) return;
    const code = codeOf(value);
    try {
      const r = code
        ? await api('/api/v1/wallet/redeem', { method: 'POST', body: { code }, auth: false })
        : await api('/api/v1/wallet/verify', { method: 'POST', body: { token: value }, auth: false });
      const shown = r.shown || [];
      replace(out, h('section', { class: `card verdict ${r.valid && r.licence_valid ? 'good' : 'bad'}`, 'aria-labelledby': 'verdict' },
        h('h2', { id: 'verdict', text: r.valid && r.licence_valid ? t('web-verify-good') : t('web-verify-good-expired') }),
        h('dl', { class: 'facts' },
          [[t('web-verify-type'), r.type_name], [t('web-verify-issuer'), r.issuer_name], [t('web-verify-until'), when(r.expires_at)],
            ...shown.map((f) => [f.label, f.value])].map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]))));
    } catch (err) {
      replace(out, h('section', { class: 'card verdict bad', role: 'alert' },
        h('h2', { text: t('web-verify-bad') }), h('p', { text: err.message })));
    }
  });
  replace(view, pageTitle(t('web-me-verify')),
    h('p', { class: 'muted', text: t('web-verify-intro') }),
    scanSlot, form, out);
  const fromLink = new URLSearchParams(location.search).get('code');
  if (fromLink) {
    token.value = fromLink;
    form.requestSubmit();
  }
  return stop;
}

/** The one-time code in a scanned link or typed text, if that is what it is. */
function codeOf(text) {
  let value = text.trim();
  try {
    const url = new URL(value);
    value = url.searchParams.get('code') || '';
  } catch {
    // not a link
  }
  const code = value.replace(/[\s-]/g, '').toUpperCase();
  return /^[0-9A-Z]{12}$/.test(code) ? code : null;
}
