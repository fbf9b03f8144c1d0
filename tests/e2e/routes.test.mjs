// Every address the UI answers, typed into the address bar (a bookmark, a copied link), and the
// history the in-app links and Back/Forward walk.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const PAGES = [
  ['/metric/explorer', 'Metrics Explorer'],
  ['/metric/explorer/', 'Metrics Explorer'],
  ['/metric/explorer?metric=my_metric&span=5m', 'Metrics Explorer'],
  ['/dashboard/lists', 'Dashboards'],
  ['/monitors/manage', 'Monitors'],
  ['/monitors/manage?q=cpu&state=Alert', 'Monitors'],
  ['/monitors/create', 'New Monitor'],
  ['/event/explorer', 'Events'],
  ['/settings', 'Settings'],
  ['/inbox/alice', 'Inbox of @alice'],
  ['/apm/services', 'APM services'],
  ['/apm/services?env=prod&span=5m', 'APM services'],
  ['/apm/traces', 'Traces'],
  ['/apm/compare', 'Compare traces'],
  ['/nope', 'Page not found'],
  ['/monitors/x', 'Page not found'],
  ['/monitors/0', 'Page not found'],
  ['/dashboard/a/b/c', 'Page not found'],
];

test('each address opens its page, an unknown one says so', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  for (const [address, title] of PAGES) {
    await page.goto(`${server.base}${address}`);
    await page.locator('h1').filter({ hasText: title }).waitFor();
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, address, 'the address stays');
  }
  await page.goto(`${server.base}/`);
  await page.waitForURL(`${server.base}/metric/explorer`);
  await page.locator('h1').filter({ hasText: 'Metrics Explorer' }).waitFor();
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('links navigate in the app, Back and Forward walk the history, the nav marks its section', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/lists`);
  await page.locator('h1').filter({ hasText: 'Dashboards' }).waitFor();
  // A marker that a full page load would lose.
  await page.evaluate(() => { window.stillThisPage = true; });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Monitors' }).click();
  await page.waitForURL(`${server.base}/monitors/manage`);
  await page.locator('h1').filter({ hasText: 'Monitors' }).waitFor();
  await page.getByRole('link', { name: 'New Monitor' }).click();
  await page.waitForURL(`${server.base}/monitors/create`);
  const current = page.getByRole('navigation', { name: 'Main' }).locator('[aria-current="page"]');
  assert.equal(await current.textContent(), 'Monitors');
  await page.goBack();
  await page.waitForURL(`${server.base}/monitors/manage`);
  await page.goBack();
  await page.waitForURL(`${server.base}/dashboard/lists`);
  await page.locator('h1').filter({ hasText: 'Dashboards' }).waitFor();
  await page.goForward();
  await page.locator('h1').filter({ hasText: 'Monitors' }).waitFor();
  assert.equal(await page.evaluate(() => window.stillThisPage), true, 'no page reload on the way');
  assert.deepEqual(pageErrors, []);
  await context.close();
});
