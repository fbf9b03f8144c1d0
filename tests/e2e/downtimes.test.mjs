// Downtimes in the browser: the weekday-night downtime scheduled through the form, with its
// overnight windows as single blocks and the end of summer time flagged on the calendar, then listed
// as scheduled; a monitor's "In downtime" badge while one is active, linking to it; cancelling it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, launchBrowser, openPage, postSeries, screenshot, startServer } from './harness.mjs';

let server;
let browser;
let monitor;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const now = Math.floor(Date.now() / 1000);
  const points = Array.from({ length: 40 }, (_, i) => [now - 1200 + i * 30, 900]);
  await postSeries(server, [{ metric: 'web.latency', points, tags: ['host:web-1', 'env:prod'] }]);
  const made = await api('POST', '/api/v1/monitor', {
    type: 'metric alert',
    name: 'Web latency high',
    query: 'avg(last_5m):avg:web.latency{env:prod} by {host} > 800',
    message: 'Latency is {{value}} @oncall@example.com',
    tags: ['team:web'],
  });
  monitor = made.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The body of an API answer; throws unless it is a 2xx. */
async function api(method, url, body) {
  const { status, body: answer } = await apiCall(server, method, url, body);
  if (status < 200 || status > 299) throw new Error(`${method} ${url} answered ${status}: ${JSON.stringify(answer)}`);
  return answer;
}

test('the weekday-night downtime through the form: one block per night, the clock change flagged, listed as scheduled', async () => {
  const { page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/monitors/${monitor}`);
  await page.getByRole('link', { name: 'Schedule Downtime' }).click();
  await page.getByRole('heading', { name: 'Schedule Downtime' }).waitFor();
  // Started from the monitor: it is chosen.
  assert.equal(await page.getByLabel('Monitor', { exact: true }).inputValue(), String(monitor));

  await page.getByLabel('Recurring').check();
  await page.getByLabel('Time zone').fill('Europe/Paris');
  await page.getByLabel('Start').fill('2027-10-25T19:00');
  await page.getByLabel('Duration', { exact: true }).fill('14');
  await page.getByLabel('Duration unit').selectOption('h');
  // Monday to Friday is the default; Saturday stays off.
  assert.equal(await page.getByRole('button', { name: 'Fri' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('button', { name: 'Sat' }).getAttribute('aria-pressed'), 'false');
  await page.getByLabel('Group scope').fill('env:prod');

  // The calendar: two weeks from Monday 25 October 2027 in Paris.
  const blocks = page.locator('.cal-block');
  await blocks.first().waitFor();
  assert.equal(await blocks.count(), 10);
  // An overnight window is one block across midnight.
  assert.equal(await blocks.first().getAttribute('title'), 'Mon 19:00 → Tue 09:00');
  assert.equal(await blocks.nth(4).getAttribute('title'), 'Fri 19:00 → Sat 09:00');
  const dst = page.locator('.cal-dst');
  assert.equal(await dst.count(), 1);
  assert.match(await dst.getAttribute('title'), /Sun 31 Oct 03:00 → 02:00/);
  await page.locator('.clock-changes', { hasText: 'UTC+02:00 → UTC+01:00' }).waitFor();
  // The next windows in Paris and in UTC: 19:00 stays 19:00 after the change (18:00 UTC).
  const rows = page.locator('.occurrence');
  assert.equal(await rows.count(), 10);
  assert.match(await rows.nth(0).innerText(), /Mon 2027-10-25 19:00[\s\S]*2027-10-25 17:00 UTC/);
  assert.match(await rows.nth(5).innerText(), /Mon 2027-11-01 19:00[\s\S]*2027-11-01 18:00 UTC/);
  await page.locator('.silenced-monitors li', { hasText: 'Web latency high' }).waitFor();
  await screenshot(page, 'downtime-form-calendar');

  await page.getByRole('button', { name: 'Schedule' }).click();
  await page.waitForURL(/\/monitors\/downtimes\?id=\d+$/);
  const row = page.locator('.scheduled .downtime-row.marked');
  await row.waitFor();
  assert.match(await row.innerText(), /Web latency high[\s\S]*env:prod[\s\S]*FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR/);
  await screenshot(page, 'downtimes-list-scheduled');
  assert.deepEqual(pageErrors, []);
});

test('the form says what is missing before anything is sent', async () => {
  const { page } = await openPage(browser);
  await page.goto(`${server.base}/monitors/downtimes/new`);
  await page.getByRole('button', { name: 'Schedule' }).click();
  await page.locator('.field-error', { hasText: 'Choose the monitor to silence.' }).waitFor();
  await page.getByLabel('Recurring').check();
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) {
    await page.getByRole('button', { name: day }).click();
  }
  await page.locator('.field-error', { hasText: 'Pick at least one day of the week.' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/monitors/downtimes/new');
});

test('a monitor in an active downtime wears a badge that leads to it, and cancelling it ends the badge', async () => {
  const now = Math.floor(Date.now() / 1000);
  const made = await api('POST', '/api/v1/downtime', {
    scope: ['env:prod'], monitor_id: monitor, start: now - 60, end: now + 3600, message: 'Deploy',
  });
  const { page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/monitors/manage`);
  const listBadge = page.locator(`tr[data-monitor-id="${monitor}"] .downtime-badge`);
  await listBadge.waitFor();
  await page.goto(`${server.base}/monitors/${monitor}`);
  const badge = page.locator('.page-header .downtime-badge');
  await badge.waitFor();
  assert.equal(await badge.innerText(), 'In downtime');
  assert.match(await badge.getAttribute('title'), /silences groups in env:prod until/);
  await screenshot(page, 'monitor-in-downtime-badge');
  await badge.click();
  await page.waitForURL(new RegExp(`/monitors/downtimes\\?id=${made.id}$`));
  const row = page.locator('.active .downtime-row.marked');
  await row.waitFor();
  await row.getByRole('button', { name: 'Cancel' }).click();
  await row.getByRole('button', { name: 'Cancel downtime' }).click();
  await page.locator(`.past .downtime-row[data-downtime-id="${made.id}"]`, { hasText: 'canceled' }).waitFor();
  await page.goto(`${server.base}/monitors/${monitor}`);
  await page.getByTestId('overall-state').waitFor();
  assert.equal(await page.locator('.downtime-badge').count(), 0);
  assert.deepEqual(pageErrors, []);
});
