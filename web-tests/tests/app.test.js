// End-to-end tests of the web app in headless Chromium (Debian's chromium
// driven by playwright-core), with an axe-core audit of each main page and
// 360×780 screenshots written to $SCREENSHOTS (target/screenshots/).
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

let browser;
let context;
let page;
const cspErrors = [];
const pageErrors = [];

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
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(async () => {
  await browser?.close();
});

async function go(path) {
  await page.goto(BASE + path, { waitUntil: 'domcontentloaded' });
}

async function shot(name) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Runs axe-core on the page; fails on serious or critical violations. */
async function audit(name) {
  await page.waitForLoadState('networkidle').catch(() => {});
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  assert.ok(result.passes.length > 10, `axe ran on ${name} (${result.passes.length} rules passed)`);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`);
  const minor = result.violations.filter((v) => !bad.includes(v)).map((v) => `${v.impact} ${v.id}`);
  if (minor.length) console.log(`axe ${name}: minor: ${minor.join(', ')}`);
  assert.deepEqual(report, [], `axe on ${name}`);
}

async function login() {
  await go('/me');
  await page.getByLabel('手机号码').fill(PHONE);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.locator('.profile-name').waitFor();
}

describe('the web app', () => {
  test('home: category grid, notice, accessible', async () => {
    await go('/');
    await page.locator('.tile').first().waitFor();
    assert.ok((await page.locator('.tile').count()) >= 20, 'themes in the grid');
    assert.match(await page.locator('h2').first().innerText(), /\S/);
    await page.locator('.notice').waitFor();
    await shot('home');
    await audit('home');
    // The pinned notice closes with its button and stays closed.
    await page.getByRole('button', { name: '关闭公告' }).click();
    assert.equal(await page.locator('.notice').count(), 0);
    await page.reload();
    await page.locator('.tile').first().waitFor();
    assert.equal(await page.locator('.notice').count(), 0);
  });

  test('home: hot searches and recommendations with reasons (issue 12)', async (t) => {
    const probe = await page.evaluate(async () => {
      const get = async (u) => {
        const r = await fetch(u);
        return { status: r.status, body: r.ok ? await r.json() : null };
      };
      return { hot: await get('/api/v1/hot?limit=10&curated=true'), rec: await get('/api/v1/recommendations') };
    });
    if (probe.hot.status === 404 && probe.rec.status === 404) {
      console.log('SKIPPED hot searches and recommendations on the home page: /api/v1/hot and /api/v1/recommendations answer 404 (issue 12 not merged yet)');
      t.skip('issue 12 not merged yet');
      return;
    }
    await go('/');
    await page.locator('.tile').first().waitFor();
    const hot = probe.hot.body?.entries || [];
    if (hot.length) {
      await page.getByRole('heading', { name: '热门搜索' }).waitFor();
      const chips = await page.locator('.chips .chip').allInnerTexts();
      assert.ok(chips.some((c) => c.includes(hot[0].query)), `hot chips: ${chips}`);
      await shot('home-hot');
    } else {
      console.log('SKIPPED hot-search chips: /api/v1/hot is empty on this daemon');
    }
    if ((probe.rec.body?.items || []).length) {
      await page.getByRole('heading', { name: '大家都在办' }).waitFor();
      const reason = probe.rec.body.items[0].reason;
      if (reason) await page.getByText(reason).first().waitFor();
    }
  });

  test('the keyboard reaches the content first and the tab bar names the page', async () => {
    await go('/');
    await page.locator('.tile').first().waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '跳到主要内容');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    assert.equal(await page.locator('.tabbar a[aria-current=page]').innerText(), '首页');
    // Links navigate in place with Enter, and focus moves to the new page's heading.
    await page.locator('.tile').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?/);
    await page.locator('.hit').first().waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  });

  test('typing gjj suggests 公积金', async () => {
    await go('/search');
    const box = page.getByRole('combobox', { name: '搜索政务服务' });
    await box.pressSequentially('gjj', { delay: 40 });
    const option = page.getByRole('option').filter({ hasText: '公积金' }).first();
    await option.waitFor();
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    await box.press('ArrowDown');
    assert.ok(await box.getAttribute('aria-activedescendant'));
    await shot('suggestions');
  });

  test('suggestions are debounced and a superseded request is aborted', async () => {
    await go('/search');
    let sent = 0;
    const aborted = [];
    const pattern = '**/api/v1/suggest?*';
    await page.route(pattern, async (route) => {
      sent += 1;
      await new Promise((r) => setTimeout(r, 700));
      await route.continue().catch(() => {});
    });
    const onFailed = (r) => {
      if (r.url().includes('/api/v1/suggest')) aborted.push(r.failure()?.errorText);
    };
    page.on('requestfailed', onFailed);
    try {
      const box = page.getByRole('combobox', { name: '搜索政务服务' });
      await box.pressSequentially('sb', { delay: 30 }); // one request after the pause
      await page.waitForTimeout(400); // …still in flight
      await box.pressSequentially('k', { delay: 30 }); // a new one aborts it
      await page.getByRole('option').first().waitFor();
      assert.equal(sent, 2, 'keystrokes inside 150 ms make one request');
      assert.equal(aborted.length, 1, 'the superseded request was aborted');
    } finally {
      page.off('requestfailed', onFailed);
      await page.unroute(pattern);
    }
  });

  test('a search shows results grouped by category, with filters and the location used', async () => {
    await go('/search');
    await page.getByRole('combobox', { name: '搜索政务服务' }).fill('社保卡');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await page.locator('.group').first().waitFor();
    const groups = await page.locator('.group-title').allInnerTexts();
    assert.ok(groups.length >= 1, 'groups');
    assert.ok((await page.locator('.hit').count()) >= 3, 'hits');
    assert.ok((await page.locator('.tabs a').count()) >= 2, 'category filter tabs');
    // Location from the browser (permission granted in this context).
    await page.getByRole('button', { name: '定位' }).click();
    await page.locator('.located').waitFor();
    assert.match(await page.locator('.located').innerText(), /广州/);
    assert.match(await page.locator('.place-now').innerText(), /当前定位/);
    await shot('results');
    await audit('results');
  });

  test('a service offered in many cities shows its cities', async () => {
    await go('/search?q=' + encodeURIComponent('公积金租房提取'));
    await page.locator('.hit').first().waitFor();
    const variants = page.locator('.variants summary').first();
    await variants.waitFor();
    assert.match(await variants.innerText(), /\d+ 个地区可办/);
    // Its page lists the nearest halls with their distance (the position set above).
    await go('/items/gjj-ydzy-440100');
    await page.locator('.hall .dist').first().waitFor();
    assert.match(await page.locator('.hall .dist').first().innerText(), /^\d+(\.\d)? (米|公里)$/);
  });

  test('a homophone typo shows the correction notice', async () => {
    await go('/search?q=' + encodeURIComponent('公基金提取'));
    const notice = page.locator('.correction');
    await notice.waitFor();
    const text = await notice.innerText();
    assert.match(text, /已为您搜索/);
    assert.match(text, /公积金/);
    assert.match(text, /仍然搜索/);
    await notice.getByRole('link').click();
    await page.waitForURL(/correct=false/);
    // The page re-renders after the URL changes: wait for the notice to go
    // (a timeout fails the test) rather than counting at once.
    await page.locator('.correction').waitFor({ state: 'detached', timeout: 5000 });
    await page.locator('.count').waitFor();
    assert.equal(await page.locator('.correction').count(), 0);
  });

  test('anonymous history stays in this browser and can be cleared', async () => {
    await go('/search');
    const chips = page.locator('.history .chip');
    await chips.first().waitFor();
    assert.ok((await chips.allInnerTexts()).includes('社保卡'));
    await page.getByRole('button', { name: '清空历史' }).click();
    await page.getByText('暂无搜索历史').waitFor();
  });

  test('login and the personal centre', async () => {
    await login();
    assert.equal(await page.locator('.profile-name').innerText(), '陈嘉明');
    await shot('centre');
    await audit('centre');
    // Step-up to L3 with the development face provider (samples starting with "live").
    await page.getByText('提升认证等级：人脸核验（L3）').click();
    await page.getByRole('button', { name: '开始人脸核验' }).click();
    await page.getByText('已升级到 L3').waitFor();
    // No timed jump (长辈版 rule, kept for everyone): the person goes on.
    await page.getByRole('link', { name: '继续' }).click();
    await page.locator('.profile .tag', { hasText: 'L3' }).waitFor();
    // The home page now recommends for this person, each with a reason.
    await go('/');
    await page.getByRole('heading', { name: '为您推荐' }).waitFor();
    const reasons = await page.locator('.row-sub').allInnerTexts();
    assert.ok(reasons.some((r) => /到期|申请|办理/.test(r)), `personal reasons: ${reasons.join(' / ')}`);
    // …and orders the category grid by them.
    const order = await page.evaluate(async () => (await (await fetch('/api/v1/me/recommendations', {
      headers: { authorization: `Bearer ${localStorage.getItem('yuesou.token')}` },
    })).json()).categories || []);
    if (order.length) {
      await page.locator('.tile').first().waitFor();
      const shown = await page.locator('section:has(.grid) h2').allInnerTexts();
      assert.equal(shown[0], order[0], `grid order ${shown} vs ${order}`);
    }
  });

  test('SMS code login, then real-name verification (L1 → L2)', async (t) => {
    const outbox = process.env.OUTBOX;
    if (!outbox) {
      t.skip('OUTBOX (the daemon\'s outbox/sms.jsonl) not given');
      return;
    }
    const other = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'zh-CN' });
    try {
      const p = await other.newPage();
      p.setDefaultTimeout(TIMEOUT);
      // An anonymous person on a service page is sent to log in and back.
      await p.goto(`${BASE}/items/dwq-acbs-440000`);
      await p.getByRole('button', { name: '登录后办理' }).click();
      await p.waitForURL(/\/me\?next=/);
      await p.getByRole('tab', { name: '验证码登录' }).click();
      await p.getByLabel('手机号码').fill('13800000002');
      await p.getByRole('button', { name: '获取验证码' }).click();
      await p.getByText('验证码已发送').waitFor();
      const sent = readFileSync(outbox, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
        .filter((e) => e.to === '13800000002' && e.code);
      assert.ok(sent.length, 'a code in the outbox');
      await p.getByLabel('短信验证码').fill(sent.at(-1).code);
      await p.getByRole('button', { name: '登录', exact: true }).click();
      await p.waitForURL(/\/items\/dwq-acbs-440000$/);
      // The service needs L2: the app says so and leads to the step-up.
      await p.getByRole('button', { name: /在线办理/ }).click();
      await p.getByText('办理此事项需要 L2 实名认证').waitFor();
      await p.getByRole('link', { name: '去提升认证等级' }).click();
      await p.locator('.profile-name').waitFor();
      assert.match(await p.locator('.profile .tag').innerText(), /L1/);
      await p.getByLabel('姓名').fill('林晓彤');
      await p.getByLabel('公民身份号码').fill('440305199208083329');
      await p.getByRole('button', { name: '提交实名认证' }).click();
      await p.locator('.profile .tag', { hasText: 'L2' }).waitFor();
      assert.equal(await p.locator('.profile-name').innerText(), '林晓彤');
    } finally {
      await other.close();
    }
  });

  test('messages, feedback with replies, and profile editing', async () => {
    await go('/me/messages');
    await page.locator('.message').first().waitFor();
    assert.ok((await page.locator('.message.unread').count()) >= 1, 'unread messages');
    const badge = page.locator('.tabbar .badge');
    assert.equal(await badge.isVisible(), true);
    await page.getByRole('button', { name: '全部已读' }).click();
    await page.waitForFunction(() => !document.querySelector('.message.unread'));
    await badge.waitFor({ state: 'hidden' });

    await go('/me/feedback');
    await page.locator('.reply').first().waitFor();
    await page.getByLabel('标题').fill('网页版使用建议');
    await page.getByLabel('内容').fill('希望搜索结果可以按距离排序。');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByText('已提交，部门答复后会通知您。').waitFor();
    await page.getByText('网页版使用建议').waitFor();

    await go('/me/profile');
    await page.getByLabel('电子邮箱').fill('chen.jm@example.cn');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('已保存').waitFor();
    await page.reload();
    assert.equal(await page.getByLabel('电子邮箱').inputValue(), 'chen.jm@example.cn');
  });

  test('an application timeline and its result', async () => {
    await go('/me/applications?group=done');
    await page.locator('.list .row').first().waitFor();
    await page.locator('.list .row').filter({ hasText: '已办结' }).first().click();
    await page.locator('.timeline li').first().waitFor();
    assert.ok((await page.locator('.timeline li').count()) >= 2, 'timeline events');
    const result = await page.locator('.result').innerText();
    assert.match(result, /办理结果|结果/);
    assert.match(result, /文书编号/);
    await shot('application');
  });

  test('a typed application: prefilled, a field error from the server, fixed, resumed and submitted', async () => {
    await go('/items/dwq-acbs-440000');
    await page.getByRole('heading', { name: '办理须知' }).waitFor();
    await shot('service');
    await audit('service');
    await page.getByRole('button', { name: /在线办理/ }).click();
    await page.waitForURL(/\/applications\//);
    await page.getByText('第 1 步，共 3 步').waitFor();
    // The verified identity is filled in and locked; the phone is masked.
    const name = page.getByLabel('申请人姓名');
    assert.equal(await name.inputValue(), '陈嘉明');
    assert.equal(await name.getAttribute('readonly'), '');
    assert.equal(await page.getByLabel('公民身份号码').inputValue(), '4401**********123X');
    const phone = page.getByLabel('联系电话');
    assert.equal(await phone.inputValue(), '138****0001');
    assert.equal(await phone.getAttribute('inputmode'), 'tel');
    // A wrong phone number: the server's message shows beside the field.
    await phone.fill('12345');
    await page.getByLabel('申请信息', { exact: true }).fill('申请澳车北上');
    await page.getByRole('button', { name: '保存并下一步' }).click();
    const error = page.locator('#f-applicant_phone-err');
    await error.waitFor();
    assert.match(await error.innerText(), /手机号码/);
    assert.equal(await phone.getAttribute('aria-invalid'), 'true');
    await page.getByText('第 1 步，共 3 步').waitFor();
    await shot('application-field-error');
    await audit('application-form');
    // Fixed, saved: on to the materials step.
    await phone.fill('13800000001');
    await page.getByRole('button', { name: '保存并下一步' }).click();
    await page.getByText('第 2 步，共 3 步').waitFor();
    const url = page.url();
    // Leave: reload the app elsewhere, then come back through the service.
    await go('/');
    await page.reload();
    await go('/items/dwq-acbs-440000');
    await page.getByRole('button', { name: /在线办理/ }).click();
    await page.waitForURL(url);
    await page.getByText('第 2 步，共 3 步').waitFor();
    assert.match(await page.locator('.stepper [aria-current=step]').innerText(), /上传材料/);
    // And from 我的办件 after a full reload.
    await page.reload();
    await page.getByText('第 2 步，共 3 步').waitFor();
    await shot('resume');
    await page.getByRole('button', { name: '保存并下一步' }).click();
    await page.getByText('第 3 步，共 3 步').waitFor();
    await page.getByRole('button', { name: '我已阅读并同意' }).click();
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.locator('.app-head .tag', { hasText: '已提交' }).waitFor();
    // The answers as submitted, the ID number masked.
    const answers = await page.locator('.facts').first().innerText();
    assert.match(answers, /4401\*{10}123X/);
    assert.match(answers, /申请澳车北上/);
  });

  test('present a licence and verify it once on the verifier page', async () => {
    await go('/wallet');
    await page.locator('.licence').first().waitFor();
    await shot('wallet');
    await audit('wallet');
    await page.locator('.licence').filter({ hasText: '驾驶证' }).first().click();
    await page.getByRole('button', { name: '出示二维码' }).click();
    const qr = page.locator('img.qr');
    await qr.waitFor();
    assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml/);
    const code = (await page.locator('.qr-box').innerText()).match(/核验码 ([0-9A-Z]{12})/)[1];
    await shot('present');
    // The QR code's link opens the verifier page, which redeems it once.
    await go(`/verify?code=${code}`);
    await page.locator('.verdict').waitFor();
    assert.match(await page.locator('.verdict h2').innerText(), /核验通过/);
    assert.match(await page.locator('.verdict').innerText(), /准驾车型/);
    assert.match(await page.locator('.verdict').innerText(), /签发平台/);
    await shot('verify');
    await page.reload();
    await page.getByText('核验未通过').waitFor();
    assert.match(await page.locator('.verdict').innerText(), /已被使用|已经使用过/);
    // The full token, pasted, verifies once too; a tampered one never.
    await go('/wallet');
    await page.locator('.licence').filter({ hasText: '驾驶证' }).first().click();
    await page.getByRole('button', { name: '出示二维码' }).click();
    await page.locator('img.qr').waitFor();
    const token = await page.locator('#present-token').inputValue();
    assert.ok(token.includes('~'), 'an SD-JWT presentation');
    await go('/verify');
    await page.getByLabel('核验码或出示令牌').fill(token.slice(0, -4) + 'AAAA');
    await page.getByRole('button', { name: '核验', exact: true }).click();
    await page.getByText('核验未通过').waitFor();
    await page.getByLabel('核验码或出示令牌').fill(token);
    await page.getByRole('button', { name: '核验', exact: true }).click();
    await page.locator('.verdict.good').waitFor();
    await page.getByRole('button', { name: '核验', exact: true }).click();
    await page.locator('.verdict.bad').waitFor();
  });

  test('the presentation QR code is refreshed before it expires', async () => {
    // A second tab with a fake clock, logged in with the same session.
    // (The login is shared by the browser's tabs through localStorage.)
    const tab = await context.newPage();
    try {
      await tab.clock.install();
      await tab.goto(`${BASE}/wallet`);
      await tab.locator('.licence').first().click();
      await tab.getByRole('button', { name: '出示二维码' }).click();
      await tab.locator('img.qr').waitFor();
      const first = await tab.locator('#present-token').inputValue();
      // Presentations live 5 minutes; the app asks for a new one 30 s before.
      await tab.clock.fastForward('04:45');
      await tab.waitForFunction((old) => {
        const el = document.querySelector('#present-token');
        return el && el.value && el.value !== old;
      }, first);
    } finally {
      await tab.close();
    }
  });

  test('history is kept on the server when logged in', async (t) => {
    const status = await page.evaluate(async () => (await fetch('/api/v1/me/history', {
      headers: { authorization: `Bearer ${localStorage.getItem('yuesou.token')}` },
    })).status);
    if (status === 404) {
      console.log('SKIPPED server-side history: GET /api/v1/me/history answers 404 (issue 12 not merged yet)');
      t.skip('GET /api/v1/me/history answers 404 (issue 12 not merged yet)');
      return;
    }
    assert.equal(status, 200);
    await go('/search?q=' + encodeURIComponent('港澳通行证续签'));
    await page.locator('.count').waitFor();
    await go('/search');
    const chip = page.locator('.history .chip').filter({ hasText: '港澳通行证续签' });
    await chip.first().waitFor();
    // Pausing is a setting of the account (history_paused).
    await page.getByRole('button', { name: '暂停记录历史' }).click();
    await page.getByRole('button', { name: '恢复记录历史' }).waitFor();
    await page.getByRole('button', { name: '恢复记录历史' }).click();
    await page.getByRole('button', { name: '暂停记录历史' }).waitFor();
    await page.getByRole('button', { name: '清空历史' }).click();
    await page.getByText('暂无搜索历史').waitFor();
  });

  test('no CSP violations and no script errors', () => {
    assert.deepEqual(cspErrors, []);
    assert.deepEqual(pageErrors, []);
  });
});
