import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { seedDemoWorkspace } from '../src/demo/demo-seed';
import { DEMO_IDS } from '../src/docs/demo-ids';
import { DEMO_WORKSPACE_ID } from '../src/demo/demo-workspace';
import { testDatabaseUrl, useApp } from './support/app';
import { auditRows, ticketRow } from './support/factories';

/**
 * Issue #10 point 11: /docs works on the first try. A real browser (Debian's chromium, driven by
 * playwright-core; never a browser downloaded by a tool) opens Swagger UI, authorizes with the demo token,
 * executes PUT /tickets/{id} exactly as pre-filled, and sees 200. CI installs chromium (.ci/run); on a machine
 * without it the spec says so and is skipped.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithBrowser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  console.warn(`docs-browser spec skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);
}

describeWithBrowser('/docs in a browser', () => {
  const ctx = useApp({ listen: true });
  let browser: Browser;
  let token: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'docs-browser-'));

  beforeAll(async () => {
    // The real demo workspace, as `npm start` loads it: the docs' examples name its ids.
    token = (await seedDemoWorkspace(testDatabaseUrl(), dataDir)).token;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('authorizes with the demo token, executes the pre-filled PUT, and gets 200', async () => {
    const before = await ticketRow(ctx.t.db, DEMO_WORKSPACE_ID, DEMO_IDS.ticket);
    const auditBefore = await auditRows(ctx.t.db, DEMO_WORKSPACE_ID, DEMO_IDS.ticket);
    const page = await browser.newPage();
    const sent: Record<string, string>[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT') sent.push(request.headers());
    });
    await page.goto(`${ctx.baseUrl}/docs`);

    await page.click('button.authorize');
    await page.fill('.modal-ux input', token);
    await page.click('.modal-ux button.authorize');
    await page.click('.modal-ux button.btn-done');

    await page.click('.opblock-put .opblock-summary');
    await page.click('.opblock-put button.try-out__btn');
    await page.click('.opblock-put button.execute');
    const status = page.locator('.opblock-put .live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    expect((await status.innerText()).trim()).toBe('200');
    await page.close();

    // What the page sent: the demo token, no pre-filled precondition or idempotency key.
    expect(sent).toHaveLength(1);
    expect(sent[0].authorization).toBe(`Bearer ${token}`);
    expect(sent[0]['if-match']).toBeUndefined();
    expect(sent[0]['idempotency-key']).toBeUndefined();

    // And what it wrote: the example body (state, attributes, assignment) as one audited update.
    const after = await ticketRow(ctx.t.db, DEMO_WORKSPACE_ID, DEMO_IDS.ticket);
    expect(after).toMatchObject({
      state: 'in_progress',
      admin_assignee_id: DEMO_IDS.otherAdmin,
      is_shared: true,
      attributes: {
        ...before.attributes,
        _default_title_: 'example',
        _default_description_: 'having a problem',
      },
    });
    expect(await auditRows(ctx.t.db, DEMO_WORKSPACE_ID, DEMO_IDS.ticket)).toHaveLength(
      auditBefore.length + 1,
    );
  });
});
