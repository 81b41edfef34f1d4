import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { seedDemoWorkspace } from '../src/demo/demo-seed';
import { DEMO_IDS } from '../src/docs/demo-ids';
import { DOCUMENTED_VERSIONS } from '../src/docs/openapi-versions';
import { DEMO_WORKSPACE_ID } from '../src/demo/demo-workspace';
import { EXAMPLE_SNOOZED_UNTIL } from '../src/tickets/versions/v2-10-category-open-snooze';
import { testDatabaseUrl, useApp } from './support/app';
import { auditRows, ticketRow } from './support/factories';

/**
 * Issue #10 point 11: /docs works on the first try. A real browser (Debian's chromium, driven by
 * playwright-core; never a browser downloaded by a tool) opens Swagger UI, authorizes with the demo token,
 * executes PUT /tickets/{id} exactly as pre-filled, and sees 200; then does the same with the 2.14 document,
 * chosen in the version selector (issue #11 point 9). CI installs chromium (.ci/run); on a machine without it
 * the spec says so and is skipped.
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

  it('switches the selector to 2.14 and executes the pre-filled 2.14 PUT: 200, a 2.14 body, the row changed', async () => {
    const auditBefore = await auditRows(ctx.t.db, DEMO_WORKSPACE_ID, DEMO_IDS.ticket);
    const page = await browser.newPage();
    const sent: { headers: Record<string, string>; body: unknown }[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT') sent.push({ headers: request.headers(), body: request.postDataJSON() });
    });
    const answered = page.waitForResponse((response) => response.request().method() === 'PUT');
    await page.goto(`${ctx.baseUrl}/docs`);

    // The selector lists every version, 2.9 first; choosing one loads its document.
    const selector = page.locator('.topbar select');
    expect(await selector.locator('option').allInnerTexts()).toEqual(DOCUMENTED_VERSIONS);
    await page.locator('.info .title pre.version', { hasText: /^\s*2\.9\s*$/ }).waitFor();
    await selector.selectOption({ label: '2.14' });
    await page.locator('.info .title pre.version', { hasText: /^\s*2\.14\s*$/ }).waitFor();
    expect(page.url()).toMatch(/\?urls\.primaryName=2\.14$/);
    // 2.14 has GET /ticket_states too.
    await page.locator('.opblock-get .opblock-summary-path', { hasText: '/ticket_states' }).waitFor();

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
    const response = (await (await answered).json()) as Record<string, unknown>;
    await page.close();

    // The page sent 2.14's request, pre-filled from 2.14's document, with Intercom-Version: 2.14.
    expect(sent).toHaveLength(1);
    expect(sent[0].headers.authorization).toBe(`Bearer ${token}`);
    expect(sent[0].headers['intercom-version']).toBe('2.14');
    expect(sent[0].body).toEqual({
      ticket_attributes: { _default_title_: 'example', _default_description_: 'having a problem' },
      is_shared: true,
      open: true,
      snoozed_until: EXAMPLE_SNOOZED_UNTIL,
      ticket_state_id: DEMO_IDS.ticketState,
      company_id: DEMO_IDS.company,
      admin_id: Number(DEMO_IDS.admin),
      assignee_id: DEMO_IDS.otherAdmin,
      skip_notifications: true,
    });
    // The answer is a 2.14 ticket: the state object, no label fields, no 2.16 fields.
    expect(response.ticket_state).toMatchObject({ type: 'ticket_state', id: DEMO_IDS.ticketState });
    expect(response).not.toHaveProperty('ticket_state_internal_label');
    expect(response).not.toHaveProperty('previous_ticket_state_id');
    expect(response.snoozed_until).toBe(EXAMPLE_SNOOZED_UNTIL);

    const after = await ticketRow(ctx.t.db, DEMO_WORKSPACE_ID, DEMO_IDS.ticket);
    expect(after).toMatchObject({
      state: 'in_progress',
      ticket_state_id: DEMO_IDS.ticketState,
      company_id: DEMO_IDS.company,
      admin_assignee_id: DEMO_IDS.otherAdmin,
      open: true,
      is_shared: true,
    });
    expect(after.snoozed_until?.getTime()).toBe(EXAMPLE_SNOOZED_UNTIL * 1000);
    expect(await auditRows(ctx.t.db, DEMO_WORKSPACE_ID, DEMO_IDS.ticket)).toHaveLength(
      auditBefore.length + 1,
    );
  });
});
