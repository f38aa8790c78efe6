// 证照核验: paste a presentation token (or scan its QR code where the
// browser has BarcodeDetector) and check it with the issuer's keys.

import { api } from '../api.js';
import { errorBox, h, pageTitle, replace, when } from '../dom.js';

/** Renders the verifier into `view`. */
export async function render(view) {
  const token = h('textarea', { id: 'verify-token', name: 'token', rows: '5', required: true, spellcheck: 'false', class: 'token' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card form' },
    h('label', { for: 'verify-token', text: '出示令牌' }), token,
    h('button', { type: 'submit', class: 'btn primary wide', text: '核验' }));
  let stream = null;
  let scanning = false;
  const stop = () => {
    scanning = false;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  };
  const scanSlot = h('div');
  if ('BarcodeDetector' in window && navigator.mediaDevices) {
    const video = h('video', { class: 'scan', muted: true, playsinline: true, hidden: true, 'aria-label': '摄像头画面' });
    const scan = h('button', { type: 'button', class: 'btn', text: '扫码核验' });
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
            token.value = codes[0].rawValue;
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
        replace(out, errorBox(e, '无法打开摄像头，请粘贴令牌'));
      }
    });
    replace(scanSlot, h('div', { class: 'actions' }, scan, video));
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = token.value.trim();
    if (!value) return;
    try {
      const r = await api('/api/v1/wallet/verify', { method: 'POST', body: { token: value }, auth: false });
      const labels = await fieldLabels(r.type || r.type_code);
      replace(out, h('section', { class: `card verdict ${r.valid && r.licence_valid ? 'good' : 'bad'}`, 'aria-labelledby': 'verdict' },
        h('h2', { id: 'verdict', text: r.valid && r.licence_valid ? '核验通过' : '核验通过，但证照已不在有效期内' }),
        h('dl', { class: 'facts' },
          [['证照类型', r.type_name], ['签发方', r.issuer], ['出示有效至', when(r.expires_at)],
            ...Object.entries(r.fields || {}).map(([k, v]) => [labels[k] || k, v])].map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]))));
    } catch (err) {
      replace(out, h('section', { class: 'card verdict bad', role: 'alert' },
        h('h2', { text: '核验未通过' }), h('p', { text: err.message })));
    }
  });
  replace(view, pageTitle('证照核验'),
    h('p', { class: 'muted', text: '粘贴对方出示的令牌，或扫描其二维码。核验只使用发证机关的公开密钥。' }),
    scanSlot, form, out);
  return stop;
}

async function fieldLabels(typeCode) {
  try {
    const r = await api('/api/v1/wallet/types', { auth: false });
    const types = Array.isArray(r) ? r : r.types || [];
    const t = types.find((x) => x.code === typeCode);
    return Object.fromEntries(((t && t.fields) || []).map((f) => [f.name, f.label]));
  } catch {
    return {};
  }
}
