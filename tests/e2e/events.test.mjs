// Posted events in the browser: an event sent as api.Event.create sends it shows in the event
// stream with its kind, and its text (with markup in it) stays text.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

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

test('a posted event is listed with its kind, and the markup in its text is inert', async () => {
  const text = 'Deploy done <img src=x onerror="window.hacked=1"> <a href="javascript:alert(1)">x</a>';
  const response = await fetch(`${server.base}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'dd-api-key': server.apiKey },
    body: JSON.stringify({ title: 'Deploy 42', text, alert_type: 'success' }),
  });
  assert.equal(response.status, 202);
  const { page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/event/explorer`);
  const item = page.locator('li.event', { hasText: 'Deploy 42' });
  await item.waitFor();
  assert.equal(await item.locator('.badge').innerText(), 'success');
  assert.equal(await item.locator('pre.event-text').innerText(), text);
  assert.equal(await item.locator('img, a[href^="javascript"]').count(), 0);
  assert.equal(await page.evaluate(() => window.hacked), undefined);
  await screenshot(page, 'events-posted');
  assert.deepEqual(pageErrors, []);
});
