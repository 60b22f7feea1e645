// The operator console (GET /console) and the API docs page (GET /docs) driven in a real headless
// Chromium against the real runtime (in memory): sign in, watch an account actor appear at version
// 2, passivate it from the page, the 401 message for a wrong token, every operation rendered on
// /docs; both pages served byte for byte from their files, and their CSP refusing an inline script
// or style injected into them while their own run. Needs Debian's `chromium` package at
// /usr/bin/chromium (or CHROMIUM_PATH); without it the suite fails rather than skips.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildOpenApiDocument } from '../../src/http/openapi';
import { TestApp, post, startTestApp } from '../support/app';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const adminToken = 'console-test-token-0123456789';
const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('operator console page (headless Chromium)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let counter = 0;
  const newId = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

  before(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`Chromium is required for the console page test but ${chromiumPath} does not exist: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    // The pages as the runtime mounts them (createApp's rootRouters).
    app = await startTestApp({ memory: true, env: { ADMIN_TOKEN: adminToken } });
    baseUrl = app.baseUrl;
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A fresh page that records script errors and CSP violations (Chromium logs those as errors). */
  async function openPage(route: '/console' | '/docs', inject = ''): Promise<{ page: Page; problems: string[] }> {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    if (inject) {
      // What an attacker who got markup into the page would add: the real answer, CSP header included.
      await page.route(`${baseUrl}${route}`, async (intercepted) => {
        const response = await intercepted.fetch();
        const html = await response.text();
        expect(html).to.include('</body>');
        await intercepted.fulfill({ response, body: html.replace('</body>', () => `${inject}</body>`) });
      });
    }
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 401/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    const response = await page.goto(`${baseUrl}${route}`);
    expect(response?.status()).to.equal(200);
    return { page, problems };
  }
  const openConsole = () => openPage('/console');

  /** A page's files in src/http/, as the repository holds them. */
  const onDisk = (name: 'console' | 'docs', extension: 'html' | 'css' | 'js') =>
    readFileSync(path.resolve(__dirname, '../../src/http', name, `${name}.${extension}`), 'utf8');
  const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

  async function signIn(page: Page, token: string) {
    await page.locator('#token').fill(token);
    await page.locator('#connect').click();
  }

  it('serves one self-contained page with a strict CSP and no innerHTML', async () => {
    const response = await fetch(`${baseUrl}/console`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("default-src 'none'").and.include("connect-src 'self'").and.include("script-src 'sha256-");
    expect(csp).not.to.include('unsafe-inline');
    const html = await response.text();
    expect(html).not.to.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(html).not.to.match(/\b(src|href)=["']?(https?:)?\/\//i);
  });

  for (const name of ['console', 'docs'] as const) {
    it(`serves /${name} as ${name}.html with ${name}.css and ${name}.js inlined byte for byte, each pinned by its hash`, async () => {
      const response = await fetch(`${baseUrl}/${name}`);
      expect(response.status).to.equal(200);
      const html = await response.text();
      const [css, js] = [onDisk(name, 'css'), onDisk(name, 'js')];
      expect(html.split('<script').length - 1, 'one script element').to.equal(1);
      expect(html.split('<style').length - 1, 'one style element').to.equal(1);
      expect(html).to.include(`<style>${css}</style>`).and.include(`<script>${js}</script>`);
      expect(js.startsWith('// @ts-check\n'), `${name}.js is type-checked (tsconfig.browser.json)`).to.equal(true);
      const shell = html
        .replace(`<style>${css}</style>`, () => `<link rel="stylesheet" href="${name}.css">`)
        .replace(`<script>${js}</script>`, () => `<script src="${name}.js"></script>`);
      expect(shell).to.equal(onDisk(name, 'html'));
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).to.include(`script-src ${sha256(js)};`).and.include(`style-src ${sha256(css)};`);
      expect(csp).to.include("default-src 'none'").and.include("connect-src 'self'").and.include("frame-ancestors 'none'");
      expect(csp).not.to.include('unsafe-inline');
    });

    it(`/${name}: the CSP refuses an injected inline script and style, and the page's own still run`, async () => {
      const injected = "<script>document.title = 'injected'</script><style>body{display:none}</style>";
      const { page, problems } = await openPage(`/${name}`, injected);
      // The page's own script ran: the console focuses the token field, the docs list operations.
      if (name === 'console') await page.waitForFunction("document.activeElement && document.activeElement.id === 'token'");
      else await page.locator('details.op').first().waitFor();
      expect(await page.title()).not.to.equal('injected');
      expect(await page.evaluate('getComputedStyle(document.body).display')).to.equal('block');
      // The page's own style applied (both set body's margin to 0; the browser default is 8px).
      expect(await page.evaluate('getComputedStyle(document.body).margin')).to.equal('0px');
      const refused = problems.filter((problem) => /Content Security Policy/.test(problem));
      expect(refused.some((problem) => /inline script/.test(problem)), problems.join('\n')).to.equal(true);
      expect(refused.some((problem) => /inline style/.test(problem)), problems.join('\n')).to.equal(true);
      expect(problems.length, problems.join('\n')).to.equal(refused.length);
    });
  }

  it('renders every operation of /api/openapi.json on /docs', async () => {
    const doc = buildOpenApiDocument() as { info: { title: string; version: string }; paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((count, item) => count + Object.keys(item).length, 0);
    const { page, problems } = await openPage('/docs');
    await page.locator('details.op').nth(operations - 1).waitFor();
    expect(await page.locator('details.op').count()).to.equal(operations);
    expect(await page.locator('#title').textContent()).to.equal(`${doc.info.title} ${doc.info.version}`);
    const history = page.locator('details.op', { has: page.locator('.path', { hasText: /^\/api\/accounts\/\{accountId\}\/history$/ }) });
    await history.locator('summary').first().click();
    expect(await history.locator('table code').allTextContents()).to.include.members(['accountId', 'minVersion', 'limit', 'offset']);
    expect(await history.locator('.status').allTextContents()).to.include.members(['200 ', '503 ']);
    expect(problems).to.deep.equal([]);
  });

  it('shows a live actor at version 2 after a deposit, and passivates it from the page', async () => {
    const { page, problems } = await openConsole();
    await signIn(page, adminToken);
    await page.locator('#c-live .value').filter({ hasText: /^\d+$/ }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('acta.console.adminToken')")).to.equal(adminToken);

    const accountId = newId('console-acc');
    expect((await post(baseUrl, '/api/accounts', { accountId, ownerId: 'owner-console', currency: 'USD' })).status).to.equal(201);
    const deposit = await post(baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 12_500, currency: 'USD', transactionId: newId('t') });
    expect(deposit.status).to.equal(201);
    expect(deposit.body.version).to.equal(2);

    const row = page.locator(`#actors-body tr[data-account-id="${accountId}"]`);
    await row.filter({ has: page.locator('td[data-col="version"]', { hasText: /^2$/ }) }).waitFor({ timeout: 10_000 });
    expect(await row.locator('td[data-col="accountId"]').textContent()).to.equal(accountId);
    await page.locator('section[data-projector="accounts"] td[data-col="committedOffset"]').first().waitFor();
    await page.locator('section[data-projector="accounts"] button[data-action="restart-projector"]').waitFor();
    expect(await page.locator('#c-relay .value').textContent()).to.not.equal('—');

    mkdirSync(path.resolve('test-results'), { recursive: true });
    await page.screenshot({ path: path.resolve('test-results/console.png'), fullPage: true });

    await row.locator('button[data-action="passivate"]').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#notice').filter({ hasText: `Passivated ${accountId}` }).waitFor();
    const live = app.runtime.system.actors() as Array<{ accountId: string }>;
    expect(live.map((actor) => actor.accountId)).not.to.include(accountId);
    expect(problems).to.deep.equal([]);
  });

  it('lists transfers in flight and counts finished ones', async () => {
    const [source, destination] = [newId('console-src'), newId('console-dst')];
    for (const accountId of [source, destination]) {
      expect((await post(baseUrl, '/api/accounts', { accountId, ownerId: 'owner-console', currency: 'USD' })).status).to.equal(201);
    }
    expect((await post(baseUrl, `/api/accounts/${source}/deposits`, { amount: 500, currency: 'USD', transactionId: newId('t') })).status).to.equal(201);
    const transferId = newId('console-transfer');
    const body = { transferId, sourceAccountId: source, destinationAccountId: destination, amount: 200, currency: 'USD' };
    expect((await post(baseUrl, '/api/transfers', body)).status).to.equal(202);
    await app.runtime.transfers.settled(transferId);
    const finished = app.runtime.transfers.stats().finished;
    // A transfer waiting out a backoff is rare to catch live: show one through the registry's list.
    const inFlight = { transferId: 'console-stuck', state: 'backingOff', status: 'PENDING', stage: 'credit', attempts: 2, lastError: '503 command_timeout' };
    const list = sinon.stub(app.runtime.transfers, 'list').returns([inFlight]);
    try {
      const { page, problems } = await openConsole();
      await signIn(page, adminToken);
      const row = page.locator('#transfers-body tr[data-transfer-id="console-stuck"]');
      await row.waitFor({ timeout: 10_000 });
      expect(await row.textContent()).to.include('credit').and.include('503 command_timeout').and.include('backingOff');
      expect(await page.locator('#transfers-count').textContent()).to.equal(`1 live · ${finished} finished · 0 parked`);
      expect(problems).to.deep.equal([]);
    } finally {
      list.restore();
    }
  });

  it('shows a clear 401 message for a wrong token and forgets it', async () => {
    const { page, problems } = await openConsole();
    await signIn(page, 'not-the-admin-token');
    const error = page.locator('#login-error');
    await error.filter({ hasText: '401 Unauthorized' }).waitFor({ timeout: 10_000 });
    expect(await error.textContent()).to.include('admin token was rejected');
    expect(await page.locator('#dashboard').isHidden()).to.equal(true);
    expect(await page.evaluate("sessionStorage.getItem('acta.console.adminToken')")).to.equal(null);
    expect(problems).to.deep.equal([]);
  });
});
