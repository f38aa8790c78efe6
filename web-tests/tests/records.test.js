// Issue 26 in the browser: a 查询 item's records page (filters, paging,
// key figures, a public kind logged out, the login and the level a
// personal kind needs, a department that is down), 证明 开具 (the
// certificate, printed alone on A4 with a QR /verify accepts, presented,
// listed in the wallet), and the key figures on the home page and in 个人中心
// (each on its own: one failing or slow department holds no other).
// axe-core on every new page. zh-HK, en and 长辈版 are walked in
// i18n_elder.test.js.

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
/** 住房公积金缴存明细查询 (广州): a personal kind with a month filter and paging. */
const DEPOSITS = 'gjj-jcmx-440100';
/** 本地天气 (广州): a public kind. */
const WEATHER = 'ggfw-tq-440100';
/** 出入境记录查询: a personal kind that needs the face check (L3). */
const TRAVEL = 'crj-crjl-440100';
/** 住房公积金缴存证明打印: a 证明 with a purpose to choose. */
const FUND_CERT = 'gjj-jczm-440100';

let browser;
const pageErrors = [];
const cspErrors = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
});

async function fresh() {
  const context = await browser.newContext({
    viewport: { width: 360, height: 780 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  return { context, page };
}

async function login(page) {
  await page.goto(`${BASE}/me`);
  await page.locator('#phone').fill(PHONE);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('.profile-name').waitFor();
}

/** The API as the logged-in page sees it. */
async function apiGet(page, path) {
  return page.evaluate(async (p) => {
    const token = localStorage.getItem('yuesou.token');
    const r = await fetch(p, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: r.status, body: await r.json() };
  }, path);
}

async function faceCheck(page) {
  const status = await page.evaluate(async () => (await fetch('/api/v1/me/verification/face', {
    method: 'POST',
    headers: { authorization: `Bearer ${localStorage.getItem('yuesou.token')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sample: 'live-sample' }),
  })).status);
  assert.equal(status, 200, 'face check');
}

async function audit(page, name, { idle = true } = {}) {
  if (idle) await page.waitForLoadState('networkidle').catch(() => {});
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  assert.ok(result.passes.length > 10, `axe ran on ${name}`);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`);
  assert.deepEqual(report, [], `axe on ${name}`);
}

/** Integer fen as the app shows yuan (zh-CN grouping, two decimals). */
function yuan(fen) {
  return new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(fen / 100);
}

/** A department that is down, as the daemon says it (problem+json 503). */
function unavailable(retryAfter) {
  return {
    status: 503,
    contentType: 'application/problem+json',
    headers: { 'retry-after': String(retryAfter) },
    body: JSON.stringify({
      type: 'https://yuesou.dev/problems/department-unavailable',
      title: '部门系统暂不可用',
      status: 503,
      detail: '办理部门的系统暂时无法访问，请稍后再试。其他服务不受影响。',
      code: 'err-department-unavailable',
      retry_after: retryAfter,
    }),
  };
}

describe('issue 26: 查询 and 证明 in the app', () => {
  test('a 查询 item shows its records: key figures on top, typed filters, the total and paging', async () => {
    const { context, page } = await fresh();
    try {
      await login(page);
      await page.goto(`${BASE}/items/${DEPOSITS}`);
      await page.locator('table.records').waitFor();
      // No application form on a 查询 item.
      assert.equal(await page.getByRole('button', { name: /在线办理/ }).count(), 0);
      const api = await apiGet(page, `/api/v1/me/records?item=${DEPOSITS}`);
      assert.equal(api.status, 200);
      const { total, size } = api.body;
      assert.ok(total > size, `more rows (${total}) than a page (${size}): paging is tested`);
      // The key figures, money as yuan with two decimals.
      const figures = page.locator('.key-figures');
      await figures.waitFor();
      const sum = api.body.summary_labels.find((s) => s.type === 'money' && typeof api.body.summary[s.name] === 'number');
      assert.ok(sum, 'a money key figure');
      assert.equal(await figures.locator(`[data-name=${sum.name}] dd`).innerText(), yuan(api.body.summary[sum.name]));
      assert.ok((await page.locator('.key-figures').boundingBox()).y < (await page.locator('table.records').boundingBox()).y, 'figures above the table');
      // The total and the first page.
      assert.equal(await page.locator('#records-total').innerText(), `共 ${total} 条`);
      const rows = page.locator('table.records tbody tr');
      assert.equal(await rows.count(), size);
      const firstPage = await rows.first().innerText();
      // Readable on a phone: each cell carries its column's label.
      const label = await page.locator('table.records tbody td').first().evaluate((td) => getComputedStyle(td, '::before').content);
      assert.match(label, /缴存月份/);
      const headRow = await page.locator('table.records thead').boundingBox();
      assert.ok(headRow.width <= 1 && headRow.height <= 1, `the header row is for screen readers on a phone (${headRow.width} × ${headRow.height})`);
      await page.screenshot({ path: join(SHOTS, 'records.png'), fullPage: true });
      await audit(page, 'records');

      // Paging: the next page, kept in the address.
      const pages = Math.ceil(total / size);
      await page.getByRole('button', { name: '下一页' }).click();
      await page.getByText(`第 2 / ${pages} 页`).waitFor();
      assert.match(page.url(), /[?&]page=2\b/);
      assert.notEqual(await rows.first().innerText(), firstPage, 'another page of rows');
      await page.getByRole('button', { name: '上一页' }).click();
      await page.getByText(`第 1 / ${pages} 页`).waitFor();

      // A month range: every row in it, fewer rows, the range in the address.
      const months = api.body.rows.map((r) => r.month).sort();
      const [from, to] = [months[1], months.at(-1)];
      await page.locator('#f-month-from').fill(from);
      await page.locator('#f-month-to').fill(to);
      await page.getByRole('button', { name: '查询', exact: true }).click();
      await page.waitForURL(new RegExp(`month=${from}%2F${to}`));
      await page.waitForFunction((n) => {
        const el = document.querySelector('#records-total');
        return el && el.textContent !== `共 ${n} 条`;
      }, total);
      const filtered = Number((await page.locator('#records-total').innerText()).match(/\d+/)[0]);
      assert.ok(filtered >= 1 && filtered < total, `${filtered} of ${total}`);
      const shown = await page.locator('table.records tbody td:first-child').allInnerTexts();
      for (const m of shown) assert.ok(m >= from && m <= to, `${m} in ${from}…${to}`);
      // Reloaded, the page shows the same look-up.
      await page.reload();
      await page.locator('table.records').waitFor();
      assert.equal(await page.locator('#f-month-from').inputValue(), from);
      assert.equal(await page.locator('#records-total').innerText(), `共 ${filtered} 条`);

      // A range the daemon refuses: its words, and the field marked.
      await page.locator('#f-month-from').fill(to);
      await page.locator('#f-month-to').fill(from);
      await page.getByRole('button', { name: '查询', exact: true }).click();
      await page.locator('#records-result .error').waitFor();
      assert.match(await page.locator('#records-result .error').innerText(), /[\u4e00-\u9fff]/);
      assert.equal(await page.locator('#f-month-from').getAttribute('aria-invalid'), 'true');
      // 清空条件: everything again.
      await page.getByRole('button', { name: '清空条件' }).click();
      await page.getByText(`共 ${total} 条`).waitFor();
    } finally {
      await context.close();
    }
  });

  test('a public kind works logged out; a personal one asks to log in and comes back', async () => {
    const { context, page } = await fresh();
    try {
      await page.goto(`${BASE}/items/${WEATHER}`);
      await page.locator('table.records').waitFor();
      assert.equal(await page.locator('table.records tbody tr').count(), 7, 'a week of forecast');
      await page.locator('.key-figures').waitFor();
      assert.match(await page.locator('.records-scope').innerText(), /无需登录/);
      assert.equal(await page.evaluate(() => localStorage.getItem('yuesou.token')), null, 'nobody logged in');
      await page.screenshot({ path: join(SHOTS, 'records-public.png'), fullPage: true });
      await audit(page, 'records (public)');

      await page.goto(`${BASE}/items/${DEPOSITS}`);
      const prompt = page.locator('#records-login');
      await prompt.waitFor();
      assert.match(await prompt.innerText(), /需要登录（L2 实名认证）/);
      assert.equal(await page.locator('table.records').count(), 0);
      await audit(page, 'records (login first)');
      await prompt.getByRole('link', { name: '登录后查询' }).click();
      await page.waitForURL(/\/me\?next=/);
      await page.locator('#phone').fill(PHONE);
      await page.locator('#password').fill(PASSWORD);
      await page.locator('#login-form button[type=submit]').click();
      await page.waitForURL(new RegExp(`/items/${DEPOSITS}`));
      await page.locator('table.records').waitFor();
    } finally {
      await context.close();
    }
  });

  test('the level a kind needs, and a department that is down while the rest of the app works', async () => {
    const { context, page } = await fresh();
    try {
      await login(page);
      // L3 kind at L2: what is needed, and the way to it.
      await page.goto(`${BASE}/items/${TRAVEL}`);
      const note = page.locator('#records-result .note');
      await note.waitFor();
      assert.match(await note.innerText(), /查询此项需要 L3 人脸核验/);
      assert.equal(await note.getByRole('link', { name: '去提升认证等级' }).getAttribute('href'), `/me?next=${encodeURIComponent(`/items/${TRAVEL}`)}`);

      // The department down: its words in Chinese and when to retry.
      let down = true;
      await page.route('**/api/v1/me/records?*', (route) => (down ? route.fulfill(unavailable(120)) : route.continue()));
      await page.goto(`${BASE}/items/${DEPOSITS}`);
      const box = page.locator('#records-result .dept-down');
      await box.waitFor();
      const said = await box.innerText();
      assert.match(said, /暂时无法访问/);
      assert.match(said, /请约 2 分钟后（\d{2}:\d{2} 以后）重试/);
      await audit(page, 'records (department down)');
      // The rest of the app keeps working.
      await page.locator('.tabbar a[data-tab=wallet]').click();
      await page.locator('.licence').first().waitFor();
      await page.goBack();
      await box.waitFor();
      // Back up: 重试 shows the records.
      down = false;
      await box.getByRole('button', { name: '重试' }).click();
      await page.locator('table.records').waitFor();
      await page.unroute('**/api/v1/me/records?*');
    } finally {
      await context.close();
    }
  });

  test('证明 开具: the certificate with 打印 (A4, only the certificate and its QR) and 出示; the wallet lists it', async () => {
    const { context, page } = await fresh();
    try {
      await login(page);
      // At L2 the page says the face check is needed.
      await page.goto(`${BASE}/items/${FUND_CERT}`);
      await page.locator('#cert-purpose').selectOption('子女入学');
      await page.locator('#cert-issue').click();
      await page.locator('#cert-form .note').waitFor();
      assert.match(await page.locator('#cert-form .note').innerText(), /开具此证明需要 L3 人脸核验/);
      await faceCheck(page);
      await page.reload();
      const purpose = page.locator('#cert-purpose');
      await purpose.waitFor();
      await audit(page, 'certificate (开具)');
      // The purpose is asked before anything is sent.
      let posted = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/api/v1/me/certificates')) posted += 1;
      });
      await page.locator('#cert-issue').click();
      assert.equal(await purpose.evaluate((s) => s.validity.valueMissing), true);
      assert.equal(posted, 0, 'no request without a purpose');
      await purpose.selectOption('子女入学');
      await page.locator('#cert-issue').click();
      const cert = page.locator('#certificate');
      await cert.waitFor();
      assert.equal(posted, 1);
      assert.match(await cert.locator('h2').innerText(), /住房公积金缴存证明/);
      const facts = await cert.locator('.facts').innerText();
      assert.match(facts, /子女入学/);
      assert.match(facts, /广州住房公积金管理中心/);
      const id = new URL(page.url()).searchParams.get('certificate');
      assert.ok(id, 'the certificate in the address');
      await audit(page, 'certificate (issued)');

      // 打印: a one-time presentation QR on the certificate, then the print dialog.
      await page.evaluate(() => {
        window.printed = 0;
        window.print = () => {
          window.printed += 1;
        };
      });
      await page.getByRole('button', { name: '打印', exact: true }).click();
      await cert.locator('img.qr').waitFor();
      await page.waitForFunction(() => window.printed === 1);
      await page.emulateMedia({ media: 'print' });
      try {
        assert.equal(await cert.isVisible(), true);
        assert.equal(await cert.locator('img.qr').isVisible(), true);
        for (const sel of ['.topbar', '.tabbar', 'h1', '.crumbs', '.cert-actions', '#cert-done']) {
          assert.equal(await page.locator(sel).first().isVisible(), false, `${sel} is not printed`);
        }
        const outside = await page.evaluate(() => {
          const cert = document.querySelector('#certificate');
          return [...document.body.querySelectorAll('*')]
            .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
            .filter((el) => !cert.contains(el) && !el.contains(cert))
            .map((el) => `${el.tagName}.${el.className}`);
        });
        assert.deepEqual(outside, [], 'only the certificate is printed');
        const pdf = (await page.pdf({ preferCSSPageSize: true })).toString('latin1');
        const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
        assert.ok(boxes.length >= 1, 'a page size in the PDF');
        for (const [w, h] of boxes) {
          assert.ok(Math.abs(w - 595.3) < 2 && Math.abs(h - 841.9) < 2, `A4 (${w} × ${h} pt)`);
        }
        assert.equal((pdf.match(/\/Type\s*\/Page\b/g) || []).length, 1, 'one A4 page');
        await page.screenshot({ path: join(SHOTS, 'certificate-print.png'), fullPage: true });
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
      // The printed QR is the wallet's presentation: /verify accepts it once.
      const code = (await cert.locator('.cert-verify').innerText()).match(/[0-9A-Z]{12}/)[0];
      await page.screenshot({ path: join(SHOTS, 'certificate.png'), fullPage: true });

      // 出示: the wallet's presentation of this certificate.
      await page.getByRole('link', { name: '出示', exact: true }).click();
      await page.waitForURL(new RegExp(`/wallet/${id}$`));
      await page.locator('#present').waitFor();
      // The wallet lists it among the certificates.
      await page.goto(`${BASE}/wallet`);
      await page.locator(`a.licence[href="/wallet/${id}"]`).waitFor();
      assert.match(await page.locator(`a.licence[href="/wallet/${id}"]`).innerText(), /住房公积金缴存证明/);

      await page.goto(`${BASE}/verify?code=${code}`);
      await page.locator('.verdict.good').waitFor();
      assert.match(await page.locator('.verdict').innerText(), /住房公积金缴存证明/);
    } finally {
      await context.close();
    }
  });

  test('key figures on the home page and in 个人中心, each on its own: a failing one and a slow one hold no other', async () => {
    const { context, page } = await fresh();
    try {
      await login(page);
      const fund = await apiGet(page, '/api/v1/me/records?item=gjj-jccx-440100&size=1');
      const points = await apiGet(page, '/api/v1/me/records?item=xsjs-jfcx-440000&size=1');
      const months = await apiGet(page, '/api/v1/me/records?item=sb-ylcx-440100&size=1');
      for (const r of [fund, points, months]) assert.equal(r.status, 200, JSON.stringify(r.body));

      // All three answer.
      await page.goto(`${BASE}/`);
      const figure = (id) => page.locator(`.figure[data-figure=${id}]`);
      await page.waitForFunction(() => document.querySelectorAll('.figure:not([aria-busy]) .figure-value').length === 3);
      assert.equal(await figure('housing-fund').locator('.figure-value').innerText(), `${yuan(fund.body.summary.balance)} 元`);
      assert.equal(await figure('driving-points').locator('.figure-value').innerText(), `${points.body.summary.points} 分`);
      assert.equal(await figure('social-insurance').locator('.figure-value').innerText(), `${months.body.summary.months} 个月`);
      assert.equal(await figure('housing-fund').locator('a').getAttribute('href'), '/items/gjj-jccx-440100');
      // Where 常用服务 would be: under the search box, above the hot searches.
      assert.ok((await page.locator('#key-figures').boundingBox()).y < (await page.locator('.chips').first().boundingBox()).y);
      await page.screenshot({ path: join(SHOTS, 'home-figures.png'), fullPage: true });
      await audit(page, 'home with key figures');

      // 社保 down, 公积金 slow: 驾驶证 shows at once, the page is usable.
      let release;
      const slow = new Promise((r) => {
        release = r;
      });
      let down = true;
      await page.route('**/api/v1/me/records?item=sb-ylcx-*', (route) => (down ? route.fulfill(unavailable(60)) : route.continue()));
      await page.route('**/api/v1/me/records?item=gjj-jccx-*', async (route) => {
        await slow;
        await route.continue().catch(() => {});
      });
      await page.reload();
      await figure('driving-points').locator('.figure-link:not(.loading)').waitFor();
      await figure('social-insurance').locator('.figure-link.failed').waitFor();
      assert.match(await figure('social-insurance').innerText(), /部门系统暂不可用/);
      assert.match(await figure('social-insurance').innerText(), /请约 60 秒后重试/);
      assert.equal(await figure('housing-fund').locator('.figure-value').innerText(), '查询中…', 'the slow one is still loading');
      assert.equal(await figure('housing-fund').getAttribute('aria-busy'), 'true');
      await page.locator('.tile').first().waitFor(); // the rest of the home is there
      await page.locator('.chips .chip').first().waitFor();
      await page.screenshot({ path: join(SHOTS, 'home-figures-failing.png'), fullPage: true });
      await audit(page, 'home with a failing figure', { idle: false }); // one request is held back on purpose
      release();
      await figure('housing-fund').locator('.figure-link:not(.loading)').waitFor();
      assert.equal(await figure('housing-fund').locator('.figure-value').innerText(), `${yuan(fund.body.summary.balance)} 元`);
      // The department is back: 重试 on that figure alone.
      down = false;
      await figure('social-insurance').getByRole('button', { name: '重试：社保累计缴费' }).click();
      await figure('social-insurance').locator('.figure-link:not(.loading):not(.failed)').waitFor();
      assert.equal(await figure('social-insurance').locator('.figure-value').innerText(), `${months.body.summary.months} 个月`);
      await page.unroute('**/api/v1/me/records?item=sb-ylcx-*');
      await page.unroute('**/api/v1/me/records?item=gjj-jccx-*');

      // 个人中心 shows them too, under the profile.
      await page.goto(`${BASE}/me`);
      await page.locator('.profile-name').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('.figure:not([aria-busy]) .figure-value').length === 3);
      assert.equal(await figure('driving-points').locator('.figure-value').innerText(), `${points.body.summary.points} 分`);
      await audit(page, '个人中心 with key figures');
      // Logged out, no figures (and no request for them).
      await page.locator('#logout').click();
      await page.locator('#login-form').waitFor();
      await page.goto(`${BASE}/`);
      await page.locator('.tile').first().waitFor();
      assert.equal(await page.locator('.figure').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('no CSP violations and no script errors', () => {
    assert.deepEqual(cspErrors, []);
    assert.deepEqual(pageErrors, []);
  });
});
