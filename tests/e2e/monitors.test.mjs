// Monitors in the browser: the form's validation in words, the message preview for each state (as
// text), a monitor made by the real `datadog` package in the list and on its status page, a monitor
// made through the form, mute/unmute from the list, and the settings page's users and webhooks.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { apiCall, launchBrowser, login, openPage, postSeries, repoRoot, screenshot, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // An hour of my_metric on host:ubuntu, some of it above 500 and 800.
  const now = Math.floor(Date.now() / 1000);
  const points = Array.from({ length: 120 }, (_, i) => [now - 3600 + i * 30, (i * 97) % 1000]);
  await postSeries(server, [{ metric: 'my_metric', points, tags: ['host:ubuntu', 'env:test'] }]);
  await api('POST', '/api/v1/dogwatch/users', { handle: 'alice', name: 'Alice', email: 'alice@example.com' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const api = (method, url, body) => apiCall(server, method, url, body);

/** Types the metric query into the query editor and commits it by leaving the field. */
async function setQuery(page, text) {
  await page.locator('#monitor-query').fill(text);
  await page.locator('#monitor-name').click();
}

test('the form says in words what is wrong, next to the field, and does not save', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/monitors/create`);
  await page.getByRole('heading', { name: 'New Monitor' }).waitFor();

  // Save with nothing filled in: what is required is said, nothing is saved.
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.field-error', { hasText: 'the metric query is required' }).waitFor();
  await page.locator('.field-error', { hasText: 'the alert threshold is required' }).waitFor();

  await setQuery(page, 'avg:my_metric{host:ubuntu}');
  await page.locator('#monitor-critical').fill('800');
  await page.locator('#monitor-warning').fill('900');
  const warning = page.locator('.field-error[role="alert"]', {
    hasText: 'warning threshold must be below the alert threshold for `>`',
  });
  await warning.waitFor();
  // Next to the warning field, not somewhere else on the page.
  assert.equal(await warning.evaluate((e) => e.previousElementSibling.querySelector('input').id), 'monitor-warning');
  await page.getByRole('button', { name: 'Save' }).click();
  await screenshot(page, 'monitor-form-warning-above-alert');

  await page.locator('#monitor-warning').fill('500');
  await warning.waitFor({ state: 'detached' });
  await setQuery(page, 'avg:my_metric{host:ubuntu');
  const bad = page.locator('.field-error[role="alert"]', { hasText: 'the metric query' });
  await bad.waitFor();
  await page.getByRole('button', { name: 'Save' }).click();
  await screenshot(page, 'monitor-form-bad-query');
  assert.match(page.url(), /\/monitors\/create$/);
  assert.deepEqual((await api('GET', '/api/v1/monitor')).body, []);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the message preview renders each state, fills {{value}} and {{host.name}}, and shows <script> as text', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/monitors/create`);
  await setQuery(page, 'avg:my_metric{host:ubuntu}');
  await page.locator('#monitor-critical').fill('800');
  await page.locator('#monitor-warning').fill('500');
  const message = page.locator('#monitor-message');
  await message.fill(
    '{{#is_alert}}ALERT {{value}} on {{host.name}} ({{host.ip}}){{/is_alert}}'
      + '{{#is_warning}}WARN {{value}} on {{host.name}}{{/is_warning}}'
      + '{{#is_no_data}}NO DATA on {{host.name}}{{/is_no_data}}'
      + '{{#is_recovery}}RECOVERED{{/is_recovery}}',
  );
  const preview = (state) => page.locator(`.preview[data-state="${state}"] .preview-text`);
  await page.waitForFunction(() => document.querySelector('.preview[data-state="Alert"] .preview-text')?.textContent.startsWith('ALERT'));
  assert.equal(await preview('Alert').textContent(), 'ALERT 880 on ubuntu (10.0.0.1)');
  assert.equal(await preview('Warning').textContent(), 'WARN 650 on ubuntu');
  assert.equal(await preview('No Data').textContent(), 'NO DATA on ubuntu');
  assert.equal(await preview('Recovery').textContent(), 'RECOVERED');

  // A hint inserts at the cursor; @ suggests users.
  await message.fill('');
  await page.locator('.hint', { hasText: '{{value}}' }).click();
  await message.press('End');
  await message.pressSequentially(' @al');
  await page.getByRole('option', { name: '@alice', exact: true }).click();
  assert.equal(await message.inputValue(), '{{value}} @alice ');
  await page.waitForFunction(() => document.querySelector('.preview[data-state="Alert"] .preview-text')?.textContent === '880 @alice ');

  await message.fill('<script>alert(1)</script><b>bold</b>');
  await page.waitForFunction(() => document.querySelector('.preview[data-state="Alert"] .preview-text')?.textContent.startsWith('<script>'));
  assert.equal(await preview('Alert').textContent(), '<script>alert(1)</script><b>bold</b>');
  assert.equal(await page.locator('.previews script, .previews b').count(), 0);
  await screenshot(page, 'monitor-form-message-preview');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a monitor made by api.Monitor.create is listed with its state and opens its status page', async () => {
  const python = process.env.DOGWATCH_PYTHON || path.join(repoRoot, 'target', 'venv', 'bin', 'python');
  assert.ok(fs.existsSync(python), `no Python venv with datadog at ${python} (cargo xtask ci makes it)`);
  const script = `
from datadog import initialize, api
initialize(api_key=${JSON.stringify(server.apiKey)}, app_key=${JSON.stringify(server.appKey)}, api_host=${JSON.stringify(server.base)})
r = api.Monitor.create(type="metric alert", query="avg(last_5m):avg:my_metric{host:ubuntu} > 800",
    name="Seed monitor", tags=["app:seed"],
    message="{{#is_alert}}my_metric is {{value}} on {{host.name}}{{/is_alert}} <script>alert(1)</script> @alice",
    options={"thresholds": {"critical": 800, "warning": 500}, "notify_no_data": True, "no_data_timeframe": 10})
print(r["id"])
`;
  const run = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const id = run.stdout.trim();
  assert.match(id, /^\d+$/);

  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/monitors/manage`);
  const row = page.locator(`.monitor-row[data-monitor-id="${id}"]`);
  await row.waitFor();
  assert.equal(await row.locator('.badge').first().textContent(), 'No Data');
  assert.equal(await row.locator('td.mono').textContent(), 'avg(last_5m):avg:my_metric{host:ubuntu} > 800');
  assert.equal(await row.locator('td.muted').textContent(), 'app:seed');
  await screenshot(page, 'monitors-list');

  // Search and the state filter.
  await page.getByLabel('Search monitors').fill('nothing like it');
  await page.locator('.state.empty').waitFor();
  await page.getByLabel('Search monitors').fill('seed');
  await row.waitFor();
  await page.getByLabel('Filter by state').selectOption('Alert');
  await row.waitFor({ state: 'detached' });
  await page.getByLabel('Filter by state').selectOption('No Data');
  await row.waitFor();
  // The search and the filter are in the address: a reload keeps them.
  await page.waitForURL(/\/monitors\/manage\?q=seed&state=No%20Data$/);
  await page.reload();
  await row.waitFor();
  assert.equal(await page.getByLabel('Search monitors').inputValue(), 'seed');
  assert.equal(await page.getByLabel('Filter by state').inputValue(), 'No Data');

  await row.getByRole('link', { name: 'Seed monitor' }).click();
  await page.waitForURL(new RegExp(`/monitors/${id}$`));
  await page.getByRole('heading', { name: 'Seed monitor' }).waitFor();
  assert.equal(await page.locator('[data-testid="overall-state"]').textContent(), 'No Data');
  assert.match(await page.locator('.monitor-message').textContent(), /<script>alert\(1\)<\/script> @alice/);
  assert.equal(await page.locator('.monitor-message script').count(), 0);
  await page.waitForFunction(() => Number(document.querySelector('canvas.chart-canvas')?.dataset.points) > 0);
  await page.getByText('No notifications sent yet.').waitFor();
  await screenshot(page, 'monitor-status');

  // The form reads it back as it was saved.
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.waitForURL(new RegExp(`/monitors/${id}/edit$`));
  await page.waitForFunction(() => document.querySelector('#monitor-critical')?.value === '800');
  assert.equal(await page.locator('#monitor-warning').inputValue(), '500');
  assert.equal(await page.locator('#monitor-no-data').inputValue(), '10');
  assert.equal(await page.locator('#monitor-query').inputValue(), 'avg:my_metric{host:ubuntu}');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('create a monitor through the form, see it listed, mute and unmute it from the list', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/monitors/manage`);
  await page.getByRole('link', { name: 'New Monitor' }).click();
  await page.waitForURL(/\/monitors\/create$/);
  await setQuery(page, 'avg:my_metric{env:test}');
  await page.locator('#monitor-aggr').selectOption('max');
  await page.locator('#monitor-window').selectOption('last_10m');
  await page.locator('#monitor-by').fill('host');
  await page.locator('#monitor-critical').fill('900');
  await page.locator('#monitor-warning').fill('600');
  await page.locator('#monitor-name').fill('Form monitor');
  await page.locator('#monitor-tags').fill('team:ops, app:web');
  await page.locator('#monitor-priority').fill('2');
  await page.locator('#monitor-message').fill('{{#is_alert}}high on {{host.name}}{{/is_alert}} @alice');
  // The preview draws the last day with the thresholds as markers, shaded where the monitor would
  // have been in Alert: the max over 10 minutes of this hour's points stays above 900 once it first
  // is (whether the first minutes warn depends on where the 5-minute buckets fall).
  await page.waitForFunction(() => Number(document.querySelector('.monitor-preview canvas.chart-canvas')?.dataset.points) > 0);
  await page.locator('.trigger-summary', { hasText: 'Over the last day it would have alerted once (red)' }).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('.monitor-preview canvas.chart-canvas')?.dataset.regions) >= 1);
  await screenshot(page, 'monitor-form-filled');
  // The API's own refusal is shown in its words (here a stand-in answer: the form already checks
  // every rule the server has).
  await page.route('**/api/v1/monitor', (route) => route.fulfill({
    status: 400, contentType: 'application/json', body: JSON.stringify({ errors: ['options.thresholds.warning: refused by the server'] }),
  }));
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.save-error[role="alert"]', { hasText: 'refused by the server' }).waitFor();
  await page.unroute('**/api/v1/monitor');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/monitors\/\d+$/);
  await page.getByRole('heading', { name: 'Form monitor' }).waitFor();
  const id = page.url().match(/\/monitors\/(\d+)$/)[1];
  const saved = (await api('GET', `/api/v1/monitor/${id}`)).body;
  assert.equal(saved.query, 'max(last_10m):avg:my_metric{env:test} by {host} > 900');
  assert.equal(saved.options.thresholds.warning, 600);
  assert.deepEqual(saved.tags, ['team:ops', 'app:web']);
  assert.equal(saved.priority, 2);

  await page.locator('nav .nav-links').getByRole('link', { name: 'Monitors' }).click();
  const row = page.locator(`.monitor-row[data-monitor-id="${id}"]`);
  await row.waitFor();
  assert.equal(await row.getByRole('link').textContent(), 'Form monitor');
  await row.getByRole('button', { name: 'Mute', exact: true }).click();
  await row.locator('.muted-badge').waitFor();
  assert.deepEqual(Object.keys((await api('GET', `/api/v1/monitor/${id}`)).body.options.silenced), ['*']);
  await screenshot(page, 'monitors-list-muted');
  await row.getByRole('button', { name: 'Unmute' }).click();
  await row.locator('.muted-badge').waitFor({ state: 'detached' });
  assert.deepEqual((await api('GET', `/api/v1/monitor/${id}`)).body.options.silenced, {});

  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('settings show SMTP as configured, and users and webhooks can be added and removed', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/settings`);
  await page.getByText('Email is not configured').waitFor();
  await page.locator('.users .contact', { hasText: '@alice' }).waitFor();
  await page.getByLabel('Handle').fill('bob');
  await page.getByLabel('Name', { exact: true }).fill('Bob <b>');
  await page.getByLabel('Email').fill('bob@example.com');
  await page.getByRole('button', { name: 'Add user' }).click();
  await page.locator('.users .contact', { hasText: 'Bob <b>' }).waitFor();
  // The inputs are emptied for the next user.
  assert.equal(await page.getByLabel('Handle').inputValue(), '');
  assert.equal(await page.getByLabel('Email').inputValue(), '');
  await page.getByLabel('Webhook name').fill('ops');
  await page.getByLabel('URL').fill('not a url');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await page.locator('.state.error[role="alert"]', { hasText: 'url is not a URL' }).waitFor();
  await page.getByLabel('URL').fill('http://127.0.0.1:9/hook');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await page.locator('.webhooks .contact', { hasText: '@webhook-ops' }).waitFor();
  assert.equal(await page.getByLabel('Webhook name').inputValue(), '');
  await screenshot(page, 'settings');
  await page.locator('.users .contact', { hasText: '@bob' }).getByRole('button', { name: 'Remove' }).click();
  await page.locator('.users .contact', { hasText: '@bob' }).waitFor({ state: 'detached' });
  // `admin` is the test server's own first admin.
  assert.deepEqual((await api('GET', '/api/v1/dogwatch/users')).body.users.map((u) => u.handle), ['admin', 'alice']);

  await page.locator('nav .nav-links').getByRole('link', { name: 'Events' }).click();
  await page.getByRole('heading', { name: 'Events' }).waitFor();
  await page.locator('.events-page .state').first().waitFor();
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a monitor that fires: the status page shows its timeline and the failed delivery, the event stream its event, the inbox its message', async () => {
  // A server of its own that evaluates every second, so that the shared one keeps its states.
  const live = await startServer({ extraArgs: ['--eval-interval', '1'] });
  const { context, page, pageErrors } = await openPage(browser);
  try {
    const call = (method, url, body) => apiCall(live, method, url, body);
    // A monitor on host:ubuntu's max over 5 minutes; it alerts at once on the points below.
    const alertOn = (name, message) => call('POST', '/api/v1/monitor', {
      type: 'metric alert',
      name,
      query: 'max(last_5m):avg:my_metric{host:ubuntu} > 800',
      message,
      options: { thresholds: { critical: 800 } },
    });
    const now = Math.floor(Date.now() / 1000);
    const points = Array.from({ length: 20 }, (_, i) => [now - 285 + i * 15, 900 + i]);
    await postSeries(live, [{ metric: 'my_metric', points, tags: ['host:ubuntu'] }]);
    // Nothing listens on port 9 (discard): every delivery to this webhook fails.
    assert.equal((await call('POST', '/api/v1/dogwatch/webhooks', { name: 'broken', url: 'http://127.0.0.1:9/hook' })).status, 200);
    const created = await alertOn('Fires', '{{#is_alert}}high {{value}}{{/is_alert}} @webhook-broken');
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id;
    for (let i = 0; i < 100 && (await call('GET', `/api/v1/monitor/${id}`)).body.overall_state !== 'Alert'; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
    }

    // The page is drawn once per visit: look again until the failed attempt is there.
    const failure = page.locator('.notifications .field-error');
    for (let i = 0; i < 30; i += 1) {
      await page.goto(`${live.base}/monitors/${id}`);
      await page.getByRole('heading', { name: 'Fires' }).waitFor();
      if (await failure.count()) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(await page.locator('[data-testid="overall-state"]').textContent(), 'Alert');
    await page.locator('.timeline li', { hasText: 'Alert' }).first().waitFor();
    assert.match(await page.locator('.notifications td').nth(1).textContent(), /webhook broken/);
    assert.ok((await failure.first().textContent()).length > 0);
    // The graph is shaded from the recorded transition into Alert up to now.
    await page.waitForFunction(() => document.querySelector('.monitor-status canvas.chart-canvas')?.dataset.regions === '1');
    await screenshot(page, 'monitor-status-fired');

    await page.locator('nav .nav-links').getByRole('link', { name: 'Events' }).click();
    const event = page.locator('.event', { hasText: 'Fires' }).first();
    await event.waitFor();
    assert.equal(await event.locator('.badge').textContent(), 'Alert');
    await page.getByLabel('Filter by monitor').selectOption(String(id));
    await page.waitForURL(new RegExp(`monitor_id=${id}$`));
    await event.waitFor();
    await screenshot(page, 'events');
    await event.getByRole('link').click();
    await page.waitForURL(new RegExp(`/monitors/${id}$`));

    // The in-app inbox: a monitor that mentions @carol leaves its message in her inbox, which her
    // row on the settings page links to; the text stays text.
    assert.equal((await call('POST', '/api/v1/dogwatch/users', { handle: 'carol', name: 'Carol', email: 'carol@example.com' })).status, 200);
    const toCarol = await alertOn('For <b>carol</b>', '{{#is_alert}}high {{value}}{{/is_alert}} <script>alert(1)</script> @carol');
    assert.equal(toCarol.status, 200, JSON.stringify(toCarol.body));
    for (let i = 0; i < 100 && (await call('GET', '/api/v1/dogwatch/inbox/carol')).body.messages.length === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.locator('nav .nav-links').getByRole('link', { name: 'Settings' }).click();
    await page.locator('.users .contact', { hasText: '@carol' }).getByRole('link', { name: 'Inbox' }).click();
    await page.waitForURL(/\/inbox\/carol$/);
    await page.getByRole('heading', { name: 'Inbox of @carol' }).waitFor();
    const message = page.locator('.inbox-message').first();
    await message.waitFor();
    assert.equal(await message.locator('.message-subject').textContent(), '[Triggered] For <b>carol</b>');
    assert.match(await message.locator('.message-body').textContent(), /^high 9\d\d <script>alert\(1\)<\/script> @carol/);
    assert.equal(await page.locator('.inbox-message script, .inbox-message b').count(), 0);
    await screenshot(page, 'inbox');
    await page.goto(`${live.base}/inbox/nobody`);
    await page.locator('.inbox .state.error[role="alert"]').waitFor();

    // Carol signs in: the nav counts her unread message; opening her inbox reads it.
    assert.equal((await call('POST', '/api/v1/dogwatch/users/carol/password', { password: 'carols long password' })).status, 204);
    const carol = await openPage(browser, { server: live, session: await login(live, 'carol', 'carols long password') });
    try {
      await carol.page.goto(`${live.base}/dashboard/lists`);
      const inboxLink = carol.page.locator('nav .nav-links').getByRole('link', { name: /Inbox/ });
      await inboxLink.locator('.nav-badge', { hasText: '1' }).waitFor();
      await inboxLink.click();
      await carol.page.getByRole('heading', { name: 'Inbox of @carol' }).waitFor();
      await carol.page.locator('.inbox-message.unread .new-badge').first().waitFor();
      await inboxLink.locator('.nav-badge').waitFor({ state: 'detached' });
      assert.equal((await call('GET', '/api/v1/dogwatch/inbox/carol')).body.unread, 0);
      assert.deepEqual(carol.pageErrors, []);
    } finally {
      await carol.context.close();
    }
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
    await live.stop();
  }
});

test('a monitor whose query is over its budget says so on its status page, as text', async () => {
  // A server of its own that lets a query read only 5 points and evaluates every second.
  const tight = await startServer({ extraArgs: ['--query-max-points', '5', '--eval-interval', '1'] });
  const { context, page, pageErrors } = await openPage(browser);
  try {
    const now = Math.floor(Date.now() / 1000);
    const points = Array.from({ length: 20 }, (_, i) => [now - 600 + i * 30, 1]);
    await postSeries(tight, [{ metric: 'my_metric', points, tags: ['host:ubuntu'] }]);
    const created = await apiCall(tight, 'POST', '/api/v1/monitor', {
      type: 'metric alert',
      name: 'over budget',
      query: 'avg(last_1h):avg:my_metric{host:ubuntu} > 800',
      message: '<b>not bold</b>',
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    // The page reads the monitor once; open it after the evaluator has been at it.
    for (let i = 0; i < 100; i += 1) {
      const m = await apiCall(tight, 'GET', `/api/v1/monitor/${created.body.id}`);
      if (m.body.evaluation_error) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(`${tight.base}/monitors/${created.body.id}`);
    const error = page.getByTestId('evaluation-error');
    await error.waitFor();
    assert.match(await error.textContent(), /^Not evaluated since .*more than 5 stored points \(--query-max-points\)/);
    // The page's own graph of the last day is over the budget too, and says so instead of staying blank.
    await page.getByTestId('graph-error').filter({ hasText: '--query-max-points' }).waitFor();
    assert.equal(await page.locator('.monitor-message b').count(), 0);
    await screenshot(page, 'monitor-over-budget');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
    await tight.stop();
  }
});
