// `dogwatch serve --demo`, as the README's run command starts it: the link it prints opens straight
// onto live graphs, and the last day is already backfilled; the past hour of its traces is in APM.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function drawn(page, series) {
  await page.waitForFunction((n) => document.querySelector('canvas.chart-canvas')?.dataset.series === String(n), series);
  return Number(await page.locator('canvas.chart-canvas').getAttribute('data-points'));
}

test('the printed demo link shows both hosts at once, and my_metric has a day of history', async () => {
  const printed = server.output().match(/demo graphs: (http:\/\/\S+)/);
  assert.ok(printed, `the server did not print a demo link:\n${server.output()}`);
  const link = new URL(printed[1]);
  assert.equal(link.origin, server.base);

  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(printed[1]);
  // 4 hours at 60 s buckets: up to 240 points per host, backfilled before the page asked.
  const points = await drawn(page, 2);
  assert.ok(points > 300, `points drawn for two hosts over 4 h: ${points}`);
  const labels = (await page.locator('.legend .legend-label').allTextContents()).sort();
  assert.deepEqual(labels, ['host:debian', 'host:ubuntu']);
  await page.locator('.live-badge:not(.paused)').waitFor();
  await screenshot(page, 'demo-hosts');

  await page.goto(`${server.base}/metric/explorer?metric=my_metric&agg=avg&scope=host:ubuntu&span=1d&live=true`);
  // A point every 45 s for a day, in 300 s buckets: 288 of them (give or take the edges).
  const dayPoints = await drawn(page, 1);
  assert.ok(dayPoints >= 280, `my_metric points drawn over a day: ${dayPoints}`);
  await screenshot(page, 'demo-my-metric-day');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the demo has traces: APM lists its two services with the past hour of requests', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/apm/services?span=1h&live=true`);
  const row = (service) => page.locator('.services-table tbody tr', { has: page.locator(`a.service-link:text-is("${service}")`) });
  await row('demo-shop').waitFor();
  // A trace every 5 s over the past hour, backfilled: about 720 requests to demo-shop.
  const requests = Number((await row('demo-shop').locator('td').nth(2).textContent()).trim());
  assert.ok(requests >= 700, `demo-shop requests over the past hour: ${requests}`);
  assert.equal(await row('demo-payments').count(), 1);
  await screenshot(page, 'demo-apm-services');
  await row('demo-payments').locator('a.service-link').click();
  await page.locator('.resources-table td', { hasText: 'POST /charge' }).first().waitFor();
  await screenshot(page, 'demo-apm-payments');
  assert.deepEqual(pageErrors, []);
  await context.close();
});
