// 预约 and 缴费 in the browser (issues 25 and 27): booking a slot at the
// nearest hall (the code and its QR), a lost answer confirmed again with
// the same Idempotency-Key, rescheduling and cancelling with the places
// counted through the public slot listing; paying a bill end to end on the
// development provider's page with the receipt in 我的证照, the same bill
// from two tabs at once (one pays, the other is told in Chinese), a tab
// with a stale list told the bill is paid, and the result page saying so
// when the provider's answer is late. axe-core on every new page, plain and
// in 长辈版.
//
// Needs a running daemon with demo data at $BASE_URL (scripts/ci_browser.sh
// starts one on a free port with a fresh data directory).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.BASE_URL || 'http://127.0.0.1:8700';
const SHOTS = process.env.SCREENSHOTS || join(process.cwd(), '..', 'target', 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PHONE = '13800000001';
const PASSWORD = 'yuesou-demo';
const TIMEOUT = 15000;
/** 往来港澳通行证申领预约 (广州): booked 0–30 days ahead at the city's halls. */
const ITEM = 'crj-gasl-440100';
const CODE = /^[0-9A-HJKMNP-TV-Z]{8}$/;

let browser;
let context;
let page;
const cspErrors = [];
const pageErrors = [];

function watch(p) {
  p.setDefaultTimeout(TIMEOUT);
  p.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  p.on('pageerror', (e) => pageErrors.push(String(e)));
  return p;
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=zh-CN'] });
  context = await browser.newContext({
    viewport: { width: 360, height: 780 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    geolocation: { latitude: 23.1291, longitude: 113.2644 },
    permissions: ['geolocation'],
  });
  context.setDefaultTimeout(TIMEOUT);
  page = watch(await context.newPage());
  await page.goto(`${BASE}/me`);
  await page.getByLabel('手机号码').fill(PHONE);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.locator('.profile-name').waitFor();
});

after(async () => {
  await browser?.close();
});

async function go(p, path) {
  await p.goto(BASE + path, { waitUntil: 'domcontentloaded' });
}

async function shot(name, p = page) {
  await p.waitForLoadState('networkidle').catch(() => {});
  await p.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** axe-core on the page; fails on serious or critical violations. */
async function audit(name, p = page) {
  await p.waitForLoadState('networkidle').catch(() => {});
  if (!(await p.evaluate(() => Boolean(window.axe)))) await p.evaluate(AXE);
  const result = await p.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  assert.ok(result.passes.length > 10, `axe ran on ${name}`);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`);
  assert.deepEqual(report, [], `axe on ${name}`);
}

/** The same page in 长辈版: axe again, and the day and slot buttons are main targets (≥ 60 × 60). */
async function auditElder(name, ready) {
  await page.evaluate(() => localStorage.setItem('yuesou.elder', '1'));
  try {
    await page.reload();
    await ready();
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('elder')), true);
    const small = await page.evaluate(() => [...document.querySelectorAll('.day, .slot, .hall-pick, main .btn:not(.small)')]
      .filter((el) => el.offsetParent !== null)
      .map((el) => [el.textContent.trim().slice(0, 20), el.getBoundingClientRect()])
      .filter(([, r]) => r.width < 60 || r.height < 60)
      .map(([text, r]) => `${text} ${Math.round(r.width)}×${Math.round(r.height)}`));
    assert.deepEqual(small, [], `main targets below 60 × 60 on ${name}`);
    await shot(`elder-${name}`);
    await audit(`${name} (elder)`);
  } finally {
    await page.evaluate(() => localStorage.setItem('yuesou.elder', '0'));
    await page.reload();
  }
}

/** Places left per slot start of one day at one hall, from the public listing. */
async function placesLeft(hall, date) {
  const r = await page.evaluate(async ([item, h, d]) => {
    const res = await fetch(`/api/v1/items/${item}/slots?hall=${h}&from=${d}&days=1`);
    return { status: res.status, body: await res.json() };
  }, [ITEM, hall, date]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Object.fromEntries(r.body.halls[0].days[0].slots.map((s) => [s.start, s.left]));
}

async function apiGet(path, p = page) {
  return p.evaluate(async (u) => {
    const res = await fetch(u, { headers: { authorization: `Bearer ${localStorage.getItem('yuesou.token')}` } });
    return res.json();
  }, path);
}

/** Chooses a day after today with a free place (a slot there can still be changed for hours). */
async function chooseLaterDay() {
  const days = page.locator('.week .day');
  await days.first().waitFor();
  const open = () => days.evaluateAll((els) => els.map((e) => ({ date: e.dataset.date, open: !e.disabled && !e.classList.contains('none') })));
  const first = await open();
  let later = first.slice(1).find((d) => d.open);
  if (!later) {
    // A week of holidays (春节, 国庆): the next week.
    await page.getByRole('button', { name: '后一周 ›' }).click();
    await page.locator(`.week .day[data-date="${first.at(-1).date}"]`).waitFor({ state: 'detached' });
    later = (await open()).find((d) => d.open);
  }
  assert.ok(later, `a later day with places: ${JSON.stringify(first)}`);
  await page.locator(`.week .day[data-date="${later.date}"]`).click();
  await page.locator(`.week .day.chosen[data-date="${later.date}"]`).waitFor();
  await page.locator('.slot').first().waitFor();
  return later.date;
}

/** Chooses `date` in the week strip (in the next week if it is not in this one). */
async function showDay(date) {
  await page.locator('.week .day').first().waitFor();
  if (!(await page.locator(`.week .day[data-date="${date}"]`).count())) {
    await page.getByRole('button', { name: '后一周 ›' }).click();
  }
  await page.locator(`.week .day[data-date="${date}"]`).click();
  await page.locator(`.week .day.chosen[data-date="${date}"]`).waitFor();
}

describe('预约: book, reschedule, cancel', () => {
  const booking = {};

  test('from the 预约 item: nearest halls with distance, a week strip, slots; confirm shows the code and QR', async () => {
    await go(page, `/items/${ITEM}`);
    await page.getByRole('link', { name: '预约办理' }).click();
    await page.waitForURL(new RegExp(`/items/${ITEM}/book$`));
    await page.locator('.hall-pick').first().waitFor();
    // Without a saved place the halls come in the item's region; the button locates.
    await page.getByRole('button', { name: '使用我的位置查找' }).click();
    await page.locator('.hall-pick .dist').first().waitFor();
    const dists = await page.locator('.hall-pick .dist').allInnerTexts();
    assert.ok(dists.length >= 1 && dists.every((d) => /^\d+(\.\d)? (米|公里)$/.test(d)), `distances: ${dists}`);
    const metres = dists.map((d) => (d.endsWith('公里') ? Number.parseFloat(d) * 1000 : Number.parseFloat(d)));
    assert.deepEqual(metres, [...metres].sort((a, b) => a - b), 'nearest first');
    assert.equal(await page.locator('.week .day').count(), 7, 'a week strip');
    assert.match(await page.locator('.week .day').first().innerText(), /周[一二三四五六日]/);

    const date = await chooseLaterDay();
    const hall = await page.locator('.hall-pick.chosen').getAttribute('data-hall');
    const slot = page.locator('.slot:not([disabled])').first();
    const start = await slot.getAttribute('data-start');
    const before = await placesLeft(hall, date);
    // The page shows what the listing says.
    assert.match(await slot.innerText(), new RegExp(`余 ${before[start]}`));
    await slot.click();
    await page.getByRole('heading', { name: '确认预约信息' }).waitFor();
    await shot('booking');
    await audit('booking');

    // The first answer is lost on the way back: the booking was made, the
    // page does not know. Confirming again sends the same key and gets the
    // same booking — one place taken, one booking.
    const keys = [];
    const onRequest = (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/me/appointments')) keys.push(r.headers()['idempotency-key']);
    };
    page.on('request', onRequest);
    await page.route('**/api/v1/me/appointments', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await route.fetch();
      return route.abort('connectionreset');
    }, { times: 1 });
    await page.getByRole('button', { name: '确认预约' }).click();
    await page.getByText('请再点一次确认按钮，不会重复预约').waitFor();
    await page.getByRole('button', { name: '确认预约' }).click();
    await page.waitForURL(/\/me\/appointments\/[^/?]+\?done=booked$/);
    page.off('request', onRequest);
    assert.equal(keys.length, 2, 'two requests');
    assert.ok(keys[0] && keys[0] === keys[1], `the same Idempotency-Key: ${keys}`);

    await page.getByText('预约成功').waitFor();
    const code = (await page.locator('#check-in-code strong').innerText()).trim();
    assert.match(code, CODE);
    const qr = page.locator('img.qr');
    assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml/);
    assert.match(await qr.getAttribute('alt'), new RegExp(code));
    assert.equal((await placesLeft(hall, date))[start], before[start] - 1, 'one place taken');
    const mine = (await apiGet('/api/v1/me/appointments')).items.filter((a) => a.status === 'booked' && a.item_id === ITEM);
    assert.equal(mine.length, 1, 'one booking');
    Object.assign(booking, { id: mine[0].id, hall, date, start, code, left: before[start] });
    await shot('booking-ticket');
    await audit('booking-ticket');
  });

  test('reschedule: another slot, a new code, the old place given back', async () => {
    assert.ok(booking.id, 'booked in the test before');
    await go(page, `/me/appointments/${booking.id}`);
    await page.getByRole('link', { name: '改约' }).click();
    await page.waitForURL(/\/book\?reschedule=/);
    await page.getByRole('heading', { name: /^改约：/ }).waitFor();
    await showDay(booking.date);
    // The booked slot is marked and cannot be chosen again.
    const current = page.locator(`.slot[data-start="${booking.start}"]`);
    await current.waitFor();
    assert.match(await current.innerText(), /当前预约/);
    assert.equal(await current.isDisabled(), true);
    const other = page.locator(`.slot:not([disabled]):not([data-start="${booking.start}"])`).first();
    const start = await other.getAttribute('data-start');
    const before = await placesLeft(booking.hall, booking.date);
    await other.click();
    await page.getByRole('button', { name: '确认改约' }).click();
    await page.waitForURL(/\?done=moved$/);
    await page.getByText('改约成功').waitFor();
    const code = (await page.locator('#check-in-code strong').innerText()).trim();
    assert.match(code, CODE);
    assert.notEqual(code, booking.code, 'a new check-in code');
    assert.match(await page.locator('#bk-time').innerText(), new RegExp(start.slice(11, 16)));
    const afterMove = await placesLeft(booking.hall, booking.date);
    assert.equal(afterMove[booking.start], before[booking.start] + 1, 'the old place is free again');
    assert.equal(afterMove[start], before[start] - 1, 'the new place is taken');
    Object.assign(booking, { moved: start, movedLeft: before[start] });
  });

  test('我的预约 lists it; cancel gives the place back and the week strip shows it', async () => {
    assert.ok(booking.moved, 'moved in the test before');
    await go(page, '/me');
    await page.getByRole('link', { name: /我的预约/ }).click();
    await page.waitForURL(/\/me\/appointments$/);
    const row = page.locator(`.appointments a[data-id="${booking.id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /已预约/);
    assert.match(await row.innerText(), /签到码 [0-9A-Z]{8}/);
    await audit('appointments');
    await row.click();
    await page.getByRole('button', { name: '取消预约' }).click();
    await page.getByText('取消后名额会释放给其他人').waitFor();
    await page.getByRole('button', { name: '确认取消' }).click();
    await page.getByText('预约已取消，名额已释放').waitFor();
    assert.match(await page.locator('.ticket h2').innerText(), /已取消/);
    assert.equal(await page.locator('#check-in-code').count(), 0, 'no code for a cancelled booking');
    assert.equal((await placesLeft(booking.hall, booking.date))[booking.moved], booking.movedLeft, 'the place came back');
    // The booking page counts it too.
    await go(page, `/items/${ITEM}/book?hall=${booking.hall}`);
    await showDay(booking.date);
    const slot = page.locator(`.slot[data-start="${booking.moved}"]`);
    await slot.waitFor();
    assert.match(await slot.innerText(), new RegExp(`余 ${booking.movedLeft}`));
    await auditElder('booking', () => page.locator('.slot').first().waitFor());
  });

  test('an application offers a visit at the hall; the booking shows on its timeline', async () => {
    const app = await page.evaluate(async (item) => {
      const res = await fetch('/api/v1/me/applications', {
        method: 'POST',
        headers: { authorization: `Bearer ${localStorage.getItem('yuesou.token')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ item_id: item }),
      });
      return { status: res.status, body: await res.json() };
    }, ITEM);
    assert.ok(app.status === 200 || app.status === 201, JSON.stringify(app.body));
    const id = app.body.id;
    await go(page, `/me/applications/${id}`);
    await page.getByRole('link', { name: '预约到现场办理' }).click();
    await page.waitForURL(/\/book\?application=/);
    await chooseLaterDay();
    await page.locator('.slot:not([disabled])').first().click();
    await page.getByRole('button', { name: '确认预约' }).click();
    await page.waitForURL(/\/me\/appointments\/[^/?]+\?done=booked$/);
    const mine = (await apiGet('/api/v1/me/appointments')).items.filter((a) => a.status === 'booked' && a.item_id === ITEM);
    assert.equal(mine.length, 1, 'one booking');
    assert.equal(mine[0].application_id, id, 'booked for the application');
    await go(page, `/me/applications/${id}`);
    const entry = page.locator('.timeline li', { hasText: '已预约' });
    await entry.waitFor();
    assert.match(await entry.innerText(), /港澳通行证/);
    // Cancelled again, so the suites after this one start from no booking.
    const cancelled = await page.evaluate(async (bk) => {
      const res = await fetch(`/api/v1/me/appointments/${bk}`, {
        method: 'DELETE', headers: { authorization: `Bearer ${localStorage.getItem('yuesou.token')}` },
      });
      return res.status;
    }, mine[0].id);
    assert.ok(cancelled < 300, `cancelled: ${cancelled}`);
    // And the draft withdrawn: the other suites count the person's drafts.
    const withdrawn = await page.evaluate(async (app) => {
      const res = await fetch(`/api/v1/me/applications/${app}`, {
        method: 'DELETE', headers: { authorization: `Bearer ${localStorage.getItem('yuesou.token')}` },
      });
      return res.status;
    }, id);
    assert.ok(withdrawn < 300, `withdrawn: ${withdrawn}`);
  });
});

/** The first bill with a pay button on this tab: its id, title and amount. */
async function firstUnpaid(p, skip = []) {
  await p.locator('.bill').first().waitFor({ timeout: 30000 });
  const bills = await p.locator('.bill:has([data-pay])').evaluateAll((els) => els.map((e) => ({
    id: e.dataset.bill, title: e.querySelector('.bill-title').textContent, amount: e.querySelector('.amount').textContent,
  })));
  const bill = bills.find((b) => !skip.includes(b.id));
  assert.ok(bill, `an unpaid bill (of ${bills.length})`);
  return bill;
}

function payButton(p, id) {
  return p.locator(`.bill[data-bill="${id}"] [data-pay]`);
}

describe('缴费: pay a bill exactly once', () => {
  const used = [];

  test('a bill paid end to end on the provider page; the receipt is in 我的证照 and 缴费记录', async () => {
    await go(page, '/me');
    await page.getByRole('link', { name: /^缴费/ }).first().click();
    await page.waitForURL(/\/me\/bills$/);
    const bill = await firstUnpaid(page);
    used.push(bill.id);
    assert.match(bill.amount, /^\d+\.\d{2} 元$/);
    assert.match(await page.locator(`.bill[data-bill="${bill.id}"]`).innerText(), /缴费截止日期\s*\d{4}-\d{2}-\d{2}/);
    await shot('bills');
    await audit('bills');
    await payButton(page, bill.id).click();
    await page.waitForURL(/\/dev-pay\//);
    await page.getByText(bill.amount.replace(' 元', '')).first().waitFor();
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.waitForURL(/\/me\/payments\/[^/]+$/);
    const paymentId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    await page.getByText('缴费成功，收费单位已销账').waitFor({ timeout: 30000 });
    // The receipt reaches the wallet on the daemon's next round (every 5 s).
    const receipt = page.locator('#receipt-link');
    await receipt.waitFor({ timeout: 30000 });
    await shot('payment-result');
    await audit('payment-result');
    const payment = await apiGet(`/api/v1/me/payments/${encodeURIComponent(paymentId)}`);
    assert.equal(payment.status, 'settled');
    assert.ok(payment.receipt_number, 'a receipt number');
    await receipt.click();
    await page.waitForURL(new RegExp(`/wallet/${payment.wallet_entry_id}$`));
    // The licence page of the receipt (the result page's facts are gone by then).
    await page.locator('#present').waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(payment.receipt_number));
    await go(page, '/wallet');
    await page.locator(`a.licence[href="/wallet/${payment.wallet_entry_id}"]`).waitFor();

    await go(page, '/me/payments');
    const row = page.locator(`.payments a[data-id="${paymentId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /缴费成功/);
    assert.match(await row.innerText(), new RegExp(bill.amount.replace('.', '\\.')));
    await audit('payments');
    await go(page, '/me/bills');
    await page.locator(`.bill[data-bill="${bill.id}"]`).waitFor({ timeout: 30000 });
    assert.match(await page.locator(`.bill[data-bill="${bill.id}"]`).innerText(), /已缴费/);
    assert.equal(await payButton(page, bill.id).count(), 0);
  });

  test('the same bill from two tabs at once: one pays, the other is told; a stale tab is told it is paid', async () => {
    const other = watch(await context.newPage());
    try {
      await go(page, '/me/bills');
      await go(other, '/me/bills');
      const bill = await firstUnpaid(page, used);
      used.push(bill.id);
      await payButton(other, bill.id).waitFor({ timeout: 30000 });
      // Both tabs press 缴费 in the same moment.
      await Promise.all([payButton(page, bill.id).click(), payButton(other, bill.id).click()]);
      const outcome = async (p) => {
        const refused = p.locator('#pay-notice .error');
        const winner = await Promise.race([
          p.waitForURL(/\/dev-pay\//).then(() => 'paying'),
          refused.waitFor().then(() => 'refused'),
        ]);
        return winner;
      };
      const [a, b] = await Promise.all([outcome(page), outcome(other)]);
      assert.deepEqual([a, b].sort(), ['paying', 'refused'], `one pays, one is refused: ${a}, ${b}`);
      const [payer, loser] = a === 'paying' ? [page, other] : [other, page];
      const told = await loser.locator('#pay-notice .error').innerText();
      assert.match(told, /正在进行中|已经缴清/, told);
      assert.match(told, new RegExp(bill.title));
      await shot('pay-two-tabs', loser);
      // The refused tab shows the bill being paid, without a second pay button.
      await loser.locator(`.bill[data-bill="${bill.id}"] .tag`, { hasText: '支付中' }).waitFor();
      assert.equal(await payButton(loser, bill.id).count(), 0);
      await payer.getByRole('button', { name: '确认支付' }).click();
      await payer.getByText('缴费成功，收费单位已销账').waitFor({ timeout: 30000 });
      const payments = (await apiGet('/api/v1/me/payments')).items.filter((p) => p.target_id === bill.id);
      assert.equal(payments.length, 1, 'one payment of the bill');
      assert.equal(payments[0].status, 'settled');

      // A tab whose list is older than the payment: its button is still
      // there, and the daemon says the bill is paid.
      await go(page, '/me/bills');
      const stale = await firstUnpaid(page, used);
      used.push(stale.id);
      await go(other, '/me/bills');
      await payButton(other, stale.id).waitFor({ timeout: 30000 });
      await payButton(page, stale.id).click();
      await page.waitForURL(/\/dev-pay\//);
      await page.getByRole('button', { name: '确认支付' }).click();
      await page.getByText('缴费成功，收费单位已销账').waitFor({ timeout: 30000 });
      await payButton(other, stale.id).click();
      const notice = other.locator('#pay-notice .error');
      await notice.waitFor();
      assert.match(await notice.innerText(), /已经缴清，无需重复缴费/);
      await other.locator(`.bill[data-bill="${stale.id}"] .tag`, { hasText: '已缴费' }).waitFor();
    } finally {
      await other.close();
    }
  });

  test('a top-up: amounts checked; the result page says so when the provider is late, and settles when it answers', async () => {
    await go(page, '/me/bills');
    const card = page.locator('.bill', { hasText: '燃气充值' });
    await card.waitFor({ timeout: 30000 });
    const amount = card.getByLabel('充值金额（元）');
    // Not money: refused on the page. Below the payee's minimum: the daemon's words.
    await amount.fill('12.345');
    await card.getByRole('button', { name: '去充值' }).click();
    await card.getByText('请输入正确的金额').waitFor();
    await amount.fill('5');
    await card.getByRole('button', { name: '去充值' }).click();
    await card.getByText(/充值金额应在 10\.00 元到 2000\.00 元之间/).waitFor();
    await amount.fill('50');
    await card.getByRole('button', { name: '去充值' }).click();
    await page.waitForURL(/\/dev-pay\//);
    const payUrl = page.url();
    // The person comes back without confirming: no answer can arrive.
    const payment = (await apiGet('/api/v1/me/payments')).items.find((p) => p.target_type === 'top_up' && p.status === 'paying');
    assert.ok(payment, 'the top-up is being paid');
    assert.equal(payment.amount_fen, 5000);
    await go(page, `/me/payments/${encodeURIComponent(payment.id)}`);
    await page.getByText('正在等待支付渠道返回结果').waitFor();
    assert.equal(await page.locator('#pay-late').count(), 0, 'not late at first');
    await page.locator('#pay-late').waitFor({ timeout: 20000 });
    assert.match(await page.locator('#pay-late').innerText(), /还没有到达.*请不要重复支付/s);
    await shot('payment-late');
    await audit('payment-late');
    // Confirmed now, on the provider's page: the result page gets there.
    await go(page, new URL(payUrl).pathname);
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.waitForURL(/\/me\/payments\//);
    await page.getByText('缴费成功，收费单位已销账').waitFor({ timeout: 30000 });
    await auditElder('bills', async () => {
      await go(page, '/me/bills');
      await page.locator('.bill').first().waitFor({ timeout: 30000 });
    });
  });

  test('the new pages in 繁體 and English: every text is a message of that language', async () => {
    try {
      for (const [lang, book, bills] of [['zh-HK', '預約辦理', '繳費'], ['en', 'Book a time', 'Bills']]) {
        await page.evaluate((l) => localStorage.setItem('yuesou.lang', l), lang);
        // Each page load starts a new record of missing ids: read it on each page.
        const check = async (what) => {
          const state = await page.evaluate(() => ({ lang: document.documentElement.lang, missing: [...window.yuesouMissingTexts] }));
          assert.deepEqual(state, { lang, missing: [] }, `${lang} ${what}`);
        };
        await go(page, `/items/${ITEM}`);
        await page.getByRole('link', { name: book }).click();
        await page.locator('.slot').first().waitFor();
        await page.locator('.slot:not([disabled])').first().click();
        await page.locator('#confirm-booking').waitFor();
        await check('booking');
        await go(page, '/me/bills');
        await page.getByRole('heading', { name: bills, exact: true }).waitFor();
        await page.locator('.bill').first().waitFor({ timeout: 30000 });
        await check('bills');
        for (const path of ['/me/appointments', '/me/payments']) {
          await go(page, path);
          await page.locator('.row').first().click();
          await page.locator('.facts').first().waitFor();
          await check(path);
        }
      }
    } finally {
      await page.evaluate(() => localStorage.setItem('yuesou.lang', 'zh-CN'));
    }
  });

  test('the booking reminders are read afterwards (the other suites count unread messages)', async () => {
    // Reminders go out every 5 s and the last change was long enough ago;
    // read them all and check nothing unread is left.
    const unread = await page.evaluate(async () => {
      const headers = { authorization: `Bearer ${localStorage.getItem('yuesou.token')}` };
      await fetch('/api/v1/me/messages/read-all', { method: 'POST', headers });
      return (await (await fetch('/api/v1/me/messages?unread=true&size=1', { headers })).json()).unread;
    });
    assert.equal(unread, 0);
  });

  test('no CSP violations and no script errors', () => {
    assert.deepEqual(cspErrors, []);
    assert.deepEqual(pageErrors, []);
  });
});
