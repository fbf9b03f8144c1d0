// Timeboards: the dashboards list, building a board by dragging with the pointer, the keyboard
// equivalents, undo, the widget editor, import/export, and a board made by the real `datadog` package.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { apiCall, launchBrowser, openPage, postSeries, repoRoot, screenshot, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // A minute of my_metric for two hosts, and a database metric, ending now.
  const now = Math.floor(Date.now() / 1000);
  const points = (f) => Array.from({ length: 40 }, (_, i) => [now - 600 + i * 15, f(i)]);
  await postSeries(server, [
    { metric: 'my_metric', points: points((i) => 400 + (i % 7) * 50), tags: ['host:ubuntu', 'env:test'] },
    { metric: 'my_metric', points: points((i) => 100 + i), tags: ['host:debian', 'env:test'] },
    { metric: 'mysql.performance.cpu_time', points: points((i) => 20 + (i % 5)), tags: ['host:ubuntu'] },
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const api = (method, url, body) => apiCall(server, method, url, body);

async function newBoard(title, widgets = [], extra = {}) {
  const { status, body } = await api('POST', '/api/v1/dashboard', { title, layout_type: 'free', widgets, ...extra });
  assert.equal(status, 200, JSON.stringify(body));
  return body.id;
}

/** Drags from the middle of `from` to a point given relative to `to`'s box, in small pointer steps. */
async function drag(page, from, to, { dx = 0.5, dy = 0.5 } = {}) {
  const a = await stableBox(from);
  const b = await stableBox(to);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  const [x, y] = [b.x + b.width * dx, b.y + b.height * dy];
  await page.mouse.move(x, y, { steps: 12 });
  await page.mouse.up();
}

/** A box once it has stopped moving (widgets glide to their place after a reflow). */
async function stableBox(locator) {
  let last = null;
  for (let i = 0; i < 50; i += 1) {
    const box = await locator.boundingBox();
    if (last && JSON.stringify(box) === JSON.stringify(last)) return box;
    last = box;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

async function rectOf(page, selector) {
  return (await page.locator(selector).getAttribute('data-rect')).split(',').map(Number);
}

async function storedLayout(id) {
  const { body } = await api('GET', `/api/v1/dashboard/${id}`);
  return body.widgets.map((w) => w.layout && [w.layout.x, w.layout.y, w.layout.width, w.layout.height]);
}

async function waitSaved(page) {
  await page.locator('.save-state', { hasText: 'All changes saved' }).waitFor();
}

test('drag my_metric onto an empty board: a graph draws; Past 5 Minutes and the board survive a reload', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/lists`);
  await page.getByRole('button', { name: 'New Dashboard' }).click();
  await page.waitForURL(/\/dashboard\/[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}/);
  await page.locator('.grid-hint').waitFor();

  await drag(page, page.locator('.metric-item[data-metric="my_metric"]'), page.locator('.board-grid'), { dx: 0.3, dy: 0.1 });
  const widget = page.locator('.widget[data-kind="timeseries"]');
  await widget.waitFor();
  await page.waitForFunction(() => document.querySelector('.widget canvas.chart-canvas')?.dataset.series === '1');
  assert.ok(Number(await widget.locator('canvas.chart-canvas').getAttribute('data-points')) > 0);
  await waitSaved(page);

  await page.getByLabel('Timeframe', { exact: true }).selectOption('5m');
  await page.waitForURL(/span=5m/);
  const url = page.url();
  await page.reload();
  await page.waitForFunction(() => document.querySelector('.widget canvas.chart-canvas')?.dataset.series === '1');
  assert.equal(page.url(), url);
  assert.equal(await page.getByLabel('Timeframe', { exact: true }).inputValue(), '5m');
  assert.equal(await page.locator('.widget .widget-title').textContent(), 'my_metric');
  await screenshot(page, 'board-dragged-metric');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('move and resize with the pointer and with the keyboard; undo; the layout persists', async () => {
  const id = await newBoard('Layout', [
    { definition: { type: 'note', content: 'A' }, layout: { x: 0, y: 0, width: 4, height: 2 } },
    { definition: { type: 'note', content: 'B' }, layout: { x: 4, y: 0, width: 4, height: 2 } },
  ]);
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/${id}`);
  const first = '.widget[data-widget-id="1"]';
  const second = '.widget[data-widget-id="2"]';
  await page.locator(first).waitFor();

  // Pointer: drag A's header onto B's place; B reflows below... or swaps; either way no overlap.
  const grid = page.locator('.board-grid');
  const g = await grid.boundingBox();
  const col = g.width / 12;
  const header = page.locator(`${first} .widget-header`);
  const h = await stableBox(header);
  await page.mouse.move(h.x + 20, h.y + h.height / 2);
  await page.mouse.down();
  await page.mouse.move(h.x + 20 + 8 * col, h.y + h.height / 2, { steps: 10 });
  await page.mouse.up();
  await waitSaved(page);
  assert.equal((await rectOf(page, first))[0], 8, 'A moved to column 8');

  // Pointer: resize B from its corner to 6 columns wide, 3 rows high.
  const corner = await stableBox(page.locator(`${second} .resize-handle`));
  const b = await rectOf(page, second);
  await page.mouse.move(corner.x + 8, corner.y + 8);
  await page.mouse.down();
  await page.mouse.move(g.x + (b[0] + 6) * col - 5, g.y + (b[1] + 3) * 90 - 5, { steps: 10 });
  await page.mouse.up();
  await waitSaved(page);
  assert.deepEqual((await rectOf(page, second)).slice(2), [6, 3]);

  // Keyboard: focus A, shift+left makes it narrower, left moves it.
  await page.locator(first).focus();
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await waitSaved(page);
  const a = await rectOf(page, first);
  assert.deepEqual([a[0], a[2]], [7, 3]);

  // Undo puts the last move back.
  await page.getByRole('button', { name: 'Undo' }).click();
  await waitSaved(page);
  assert.deepEqual((await rectOf(page, first)).slice(0, 3), [8, a[1], 3]);

  const shown = [await rectOf(page, first), await rectOf(page, second)];
  assert.deepEqual(await storedLayout(id), shown);
  await page.reload();
  await page.locator(first).waitFor();
  assert.deepEqual([await rectOf(page, first), await rectOf(page, second)], shown);
  await screenshot(page, 'board-layout');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a metric dropped onto a graph becomes another line of it', async () => {
  const id = await newBoard('Drop onto', [
    { definition: { type: 'timeseries', title: 'cpu', requests: [{ q: 'avg:mysql.performance.cpu_time{*}' }] }, layout: { x: 0, y: 0, width: 6, height: 3 } },
  ]);
  const { context, page } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/${id}`);
  await page.waitForFunction(() => document.querySelector('.widget canvas.chart-canvas')?.dataset.series === '1');
  await drag(page, page.locator('.metric-item[data-metric="my_metric"]'), page.locator('.widget .widget-body'));
  await page.waitForFunction(() => document.querySelector('.widget canvas.chart-canvas')?.dataset.series === '2');
  assert.equal(await page.locator('.widget').count(), 1);
  await waitSaved(page);
  const { body } = await api('GET', `/api/v1/dashboard/${id}`);
  assert.deepEqual(body.widgets[0].definition.requests.map((r) => r.q), ['avg:mysql.performance.cpu_time{*}', 'avg:my_metric{*}']);
  await context.close();
});

test('a Query Value from the tray, edited with a conditional format, shows its value in color', async () => {
  const id = await newBoard('Tray');
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/${id}`);
  await drag(page, page.locator('.tray-item[data-kind="query_value"]'), page.locator('.board-grid'), { dx: 0.2, dy: 0.1 });
  const editor = page.getByRole('dialog', { name: 'Edit widget' });
  await editor.waitFor();
  await editor.getByRole('button', { name: 'Add query' }).click();
  const q = editor.locator('#widget-query-0');
  await q.fill('avg:my_metric{host:debian}');
  await q.press('Enter');
  await editor.getByLabel('Aggregation of query a').selectOption('max');
  await editor.getByRole('button', { name: 'Add conditional format' }).click();
  await editor.getByLabel('Threshold').fill('50');
  // The live preview shows the value before saving.
  await editor.locator('.editor-preview .qv-value.white-on-red').waitFor();
  await editor.getByLabel('Widget title').fill('Debian max');
  await editor.getByRole('button', { name: 'Save' }).click();
  const value = page.locator('.widget .qv-value');
  await value.waitFor();
  assert.ok(Number(await value.getAttribute('data-value')) > 130, await value.getAttribute('data-value'));
  assert.match(await value.getAttribute('class'), /white-on-red/);
  await waitSaved(page);
  const { body } = await api('GET', `/api/v1/dashboard/${id}`);
  const request = body.widgets[0].definition.requests[0];
  assert.equal(request.aggregator, 'max');
  assert.deepEqual(request.conditional_formats, [{ comparator: '>', value: 50, palette: 'white_on_red' }]);
  await screenshot(page, 'board-query-value');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a note with an onerror image and a metric named <script> render inert', async () => {
  const id = await newBoard('<script>window.__xss = 1</script>', [
    { definition: { type: 'note', content: '<img src=x onerror="window.__xss = 2">\n\n**bold** <script>window.__xss = 3</script>' }, layout: { x: 0, y: 0, width: 4, height: 2 } },
    { definition: { type: 'timeseries', title: '<img src=y onerror="window.__xss = 4">', requests: [{ q: 'avg:my_metric{*}' }] }, layout: { x: 4, y: 0, width: 4, height: 3 } },
  ]);
  // The API refuses a query over a metric named `<script>`; the board keeps it as text in a title and
  // in a typed query, which the editor must show as text too.
  const { context, page, pageErrors } = await openPage(browser);
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
  await page.goto(`${server.base}/dashboard/${id}`);
  await page.locator('.note-body strong').waitFor();
  assert.equal(await page.getByLabel('Dashboard title').inputValue(), '<script>window.__xss = 1</script>');
  assert.equal(await page.locator('.widget[data-widget-id="2"] .widget-title').textContent(), '<img src=y onerror="window.__xss = 4">');
  assert.equal(await page.locator('img[onerror], .note-body script').count(), 0);
  await page.locator('.widget[data-widget-id="2"]').getByRole('button', { name: /^Edit/ }).click();
  const q = page.locator('#widget-query-0');
  await q.fill('avg:<script>{*}');
  await q.press('Enter');
  await page.locator('.editor-preview [role="alert"], .editor .query-problem').first().waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(dialogs, 0);
  await screenshot(page, 'board-xss-inert');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the dashboards list searches, sorts, clones and deletes after a confirmation', async () => {
  await newBoard('Alpha payments', [], { description: 'money' });
  await newBoard('Beta hosts', [], { description: 'cpu of every host' });
  const { context, page } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/lists`);
  await page.getByLabel('Search dashboards').fill('every host');
  await page.locator('.dash-row').first().waitFor();
  assert.deepEqual(await page.locator('.dash-row a').allTextContents(), ['Beta hosts']);
  await page.getByRole('button', { name: 'Clone' }).click();
  await page.waitForURL(/\/dashboard\/[a-z0-9-]+$/);
  assert.equal(await page.getByLabel('Dashboard title').inputValue(), 'Beta hosts (clone)');
  await page.goto(`${server.base}/dashboard/lists`);
  await page.getByLabel('Search dashboards').fill('Beta');
  // The list loads after the page: wait for both rows before reading them.
  await page.locator('.dash-row').nth(1).waitFor();
  assert.deepEqual(await page.locator('.dash-row a').allTextContents(), ['Beta hosts (clone)', 'Beta hosts']);
  await page.getByLabel('Sort by modified').selectOption('oldest');
  assert.deepEqual(await page.locator('.dash-row a').allTextContents(), ['Beta hosts', 'Beta hosts (clone)']);
  await page.locator('.dash-row', { hasText: 'Beta hosts (clone)' }).getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete dashboard' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.locator('.dash-row').count(), 2);
  await page.locator('.dash-row', { hasText: 'Beta hosts (clone)' }).getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.dash-row').length === 1);
  assert.deepEqual(await page.locator('.dash-row a').allTextContents(), ['Beta hosts']);
  await context.close();
});

test('export a board as JSON and import it; import names the wrong field', async () => {
  const id = await newBoard('Exported', [
    { definition: { type: 'timeseries', title: 'm', requests: [{ q: 'avg:my_metric{*} by {host}', display_type: 'bars' }] }, layout: { x: 2, y: 0, width: 5, height: 3 } },
  ]);
  const { context, page } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/${id}`);
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const exported = JSON.parse(await page.getByLabel('Exported JSON').inputValue());
  assert.equal(exported.title, 'Exported');
  assert.equal(exported.widgets[0].definition.requests[0].display_type, 'bars');
  assert.equal(exported.id, undefined);

  await page.goto(`${server.base}/dashboard/lists`);
  await page.getByRole('button', { name: 'Import JSON' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import dashboard JSON' });
  const broken = structuredClone(exported);
  broken.widgets[0].definition.requests[0].q = 42;
  await dialog.getByLabel('Dashboard JSON', { exact: true }).fill(JSON.stringify(broken));
  await dialog.getByRole('button', { name: 'Import' }).click();
  assert.equal(await dialog.getByRole('alert').textContent(),
    'This is not a dashboard: widgets[0].definition.requests[0].q must be a string');
  await dialog.getByLabel('Dashboard JSON', { exact: true }).fill('{"title": "x", "widgets": [}');
  await dialog.getByRole('button', { name: 'Import' }).click();
  assert.match(await dialog.getByRole('alert').textContent(), /not valid JSON: .*line 1 column 28/);

  exported.title = 'Imported';
  await dialog.getByLabel('Dashboard JSON', { exact: true }).fill(JSON.stringify(exported));
  await dialog.getByRole('button', { name: 'Import' }).click();
  await page.waitForURL(/\/dashboard\/[a-z0-9-]+$/);
  assert.equal(await page.getByLabel('Dashboard title').inputValue(), 'Imported');
  assert.deepEqual(await rectOf(page, '.widget'), [2, 0, 5, 3]);
  await context.close();
});

test('api.Timeboard.create from the datadog package, unchanged: listed, and renders with $host1', async () => {
  const python = process.env.DOGWATCH_PYTHON || path.join(repoRoot, 'target', 'venv', 'bin', 'python');
  assert.ok(fs.existsSync(python), `no Python venv with datadog at ${python} (cargo xtask ci makes it)`);
  const script = `
from datadog import initialize, api
initialize(api_key=${JSON.stringify(server.apiKey)}, app_key=${JSON.stringify(server.appKey)}, api_host=${JSON.stringify(server.base)})
r = api.Timeboard.create(title="Seed board", description="made by a script",
    graphs=[{"title": "Three graphs", "definition": {"events": [], "requests": [
        {"q": "avg:my_metric{host:ubuntu}"},
        {"q": "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)"},
        {"q": "avg:my_metric{host:ubuntu}.rollup(sum, 3600)"}], "viz": "timeseries"}}],
    template_variables=[{"name": "host1", "prefix": "host", "default": "host:ubuntu"}], read_only=True)
print(r["dash"]["id"])
`;
  const run = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout.trim(), /^\d+$/);

  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/lists`);
  await page.getByRole('link', { name: 'Seed board' }).click();
  await page.waitForFunction(() => document.querySelector('.widget canvas.chart-canvas')?.dataset.series === '3');
  assert.equal(await page.locator('.widget .widget-title').textContent(), 'Three graphs');
  assert.equal(await page.getByLabel('$host1').inputValue(), 'ubuntu');
  assert.equal(await page.locator('.widget canvas.chart-canvas').getAttribute('data-bands'), '1');
  await screenshot(page, 'board-timeboard-seed');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('timeframe: typed ranges, Back, pause, UTC and template variables live in the URL', async () => {
  const id = await newBoard('Timeframes', [
    { definition: { type: 'timeseries', title: 'by host', requests: [{ q: 'avg:my_metric{$host} by {host}' }] }, layout: { x: 0, y: 0, width: 6, height: 3 } },
  ], { template_variables: [{ name: 'host', prefix: 'host', default: '*' }] });
  const { context, page, pageErrors } = await openPage(browser, { timezoneId: 'Europe/Paris' });
  await page.goto(`${server.base}/dashboard/${id}`);
  const series = (n) => page.waitForFunction((n) => document.querySelector('.widget canvas.chart-canvas')?.dataset.series === String(n), n);
  await series(2);

  // A template variable narrows every query; its value is in the URL.
  await page.getByLabel('$host').selectOption('ubuntu');
  await page.waitForURL(/tpl_var_host=ubuntu/);
  await series(1);

  const typed = page.getByLabel('Custom timeframe');
  await typed.fill('5h');
  await typed.press('Enter');
  await page.waitForURL(/span=5h&live=true/);
  assert.equal(await page.getByLabel('Timeframe', { exact: true }).inputValue(), '5h');

  await typed.fill('Jan 40 - Jan 2');
  await typed.press('Enter');
  assert.match(await page.locator('.typed-problem').textContent(), /Jan 40/);

  await typed.fill('since 00:00');
  await typed.press('Enter');
  await page.waitForURL(/live=false/);
  const url = new URL(page.url());
  const from = Number(url.searchParams.get('from_ts'));
  // Midnight in Paris (the browser's zone) today, or yesterday if it is not midnight yet there.
  const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(from));
  assert.equal(paris, '00:00');

  await page.getByRole('button', { name: 'Back' }).click();
  await page.waitForURL(/span=5h&live=true/);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForURL(/span=5h&live=false&from_ts=\d+&to_ts=\d+/);
  await page.getByLabel('Time zone').selectOption('utc');
  await page.waitForURL(/tz=utc/);
  // The tooltip's time at the right edge of the plot is the window's end in UTC, not in Paris.
  const canvas = page.locator('.widget canvas.chart-canvas');
  const cbox = await canvas.boundingBox();
  const [, pt, pr, pb] = (await canvas.getAttribute('data-plot-area')).split(',').map(Number);
  await page.mouse.move(cbox.x + pr - 2, cbox.y + (pt + pb) / 2);
  const shown = (await page.locator('.tooltip-time').textContent()).match(/(\d\d):(\d\d)/);
  const end = new Date(Number(new URL(page.url()).searchParams.get('to_ts')));
  const minutes = (h, m) => Number(h) * 60 + Number(m);
  const apart = (minutes(shown[1], shown[2]) - (end.getUTCHours() * 60 + end.getUTCMinutes()) + 1440) % 1440;
  assert.ok(apart <= 6 || apart >= 1434, `tooltip ${shown[0]} vs window end ${end.toISOString()} UTC`);
  const shared = page.url();
  assert.match(shared, /tpl_var_host=ubuntu/);

  // A colleague opening the link sees the same view.
  const other = await openPage(browser);
  await other.page.goto(shared);
  await other.page.waitForFunction(() => document.querySelector('.widget canvas.chart-canvas')?.dataset.series === '1');
  assert.equal(await other.page.getByLabel('$host').inputValue(), 'ubuntu');
  assert.equal(await other.page.getByLabel('Time zone').inputValue(), 'utc');
  assert.equal(await other.page.locator('.live-badge').textContent(), 'Paused');
  await other.context.close();
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('Top List, Heatmap and Change widgets draw from their queries', async () => {
  const id = await newBoard('Kinds', [
    { definition: { type: 'toplist', title: 'top hosts', requests: [{ q: 'avg:my_metric{*} by {host}', aggregator: 'max' }] }, layout: { x: 0, y: 0, width: 4, height: 3 } },
    { definition: { type: 'heatmap', title: 'spread', requests: [{ q: 'avg:my_metric{*} by {host}' }] }, layout: { x: 4, y: 0, width: 4, height: 3 } },
    { definition: { type: 'change', title: 'vs an hour ago', requests: [{ q: 'avg:my_metric{*} by {host}', compare_to: 'hour_before', change_type: 'absolute' }] }, layout: { x: 8, y: 0, width: 4, height: 3 } },
  ]);
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/${id}`);
  const top = page.locator('.widget[data-kind="toplist"] .ranked li');
  await top.first().waitFor();
  assert.deepEqual(await top.locator('.ranked-label').allTextContents(), ['host:ubuntu', 'host:debian']);
  await page.waitForFunction(() => Number(document.querySelector('.heatmap-canvas')?.dataset.cells) > 0);
  // An hour ago there was no data: each host is listed with its value and "no past value".
  const change = page.locator('.widget[data-kind="change"] .ranked li');
  await change.first().waitFor();
  assert.equal(await change.count(), 2);
  assert.equal(await change.locator('.change.none').count(), 2);
  await screenshot(page, 'board-kinds');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('one crosshair across the board; dragging across a graph zooms every widget; Back returns', async () => {
  const id = await newBoard('Zoom', [
    { definition: { type: 'timeseries', title: 'ubuntu', requests: [{ q: 'avg:my_metric{host:ubuntu}' }] }, layout: { x: 0, y: 0, width: 6, height: 3 } },
    { definition: { type: 'timeseries', title: 'debian', requests: [{ q: 'avg:my_metric{host:debian}' }] }, layout: { x: 6, y: 0, width: 6, height: 3 } },
  ]);
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/${id}?span=15m&live=true`);
  await page.waitForFunction(() => [...document.querySelectorAll('.widget canvas.chart-canvas')].filter((c) => c.dataset.series === '1').length === 2);
  const [first, second] = [page.locator('.widget[data-widget-id="1"] canvas.chart-canvas'), page.locator('.widget[data-widget-id="2"] canvas.chart-canvas')];
  const draws = Number(await second.getAttribute('data-draws'));
  const box = await first.boundingBox();
  const [l, t, r, b] = (await first.getAttribute('data-plot-area')).split(',').map(Number);
  const y = box.y + (t + b) / 2;
  for (let x = box.x + l + 10; x < box.x + r - 10; x += 15) await page.mouse.move(x, y);
  // The other graph shows the crosshair too, without a redraw, and without its own tooltip.
  await page.locator('.widget[data-widget-id="2"] .crosshair').waitFor();
  assert.equal(await page.locator('.widget[data-widget-id="2"] .tooltip').count(), 0);
  assert.equal(await page.locator('.widget[data-widget-id="1"] .tooltip').count(), 1);
  assert.equal(Number(await second.getAttribute('data-draws')), draws);

  // Drag across the middle third of the first graph.
  const [x0, x1] = [box.x + l + (r - l) / 3, box.x + l + (2 * (r - l)) / 3];
  await page.mouse.move(x0, y);
  await page.mouse.down();
  await page.mouse.move(x1, y, { steps: 8 });
  await page.mouse.up();
  await page.waitForURL(/live=false&from_ts=\d+&to_ts=\d+/);
  const url = new URL(page.url());
  const width = Number(url.searchParams.get('to_ts')) - Number(url.searchParams.get('from_ts'));
  assert.ok(width > 4 * 60_000 && width < 6 * 60_000, `a third of 15 minutes: ${width} ms`);
  // Both widgets redraw for the new window.
  await page.waitForFunction((d) => Number(document.querySelector('.widget[data-widget-id="2"] canvas.chart-canvas').dataset.draws) > d, draws);
  await screenshot(page, 'board-zoomed');

  await page.getByRole('button', { name: 'Back' }).click();
  await page.waitForURL(/span=15m&live=true/);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('keyboard only: Enter on a metric adds its graph, Enter on a tray type opens the editor', async () => {
  const id = await newBoard('Keyboard');
  const { context, page } = await openPage(browser);
  await page.goto(`${server.base}/dashboard/${id}`);
  await page.locator('.metric-item[data-metric="my_metric"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.widget canvas.chart-canvas')?.dataset.series === '1');
  assert.deepEqual(await rectOf(page, '.widget'), [0, 0, 4, 3]);
  await page.locator('.tray-item[data-kind="note"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('.widget[data-kind="note"] .note-body strong').waitFor();
  assert.deepEqual(await rectOf(page, '.widget[data-kind="note"]'), [4, 0, 2, 2]);
  // Enter on a focused widget opens its editor; Escape-free: Cancel closes it.
  await page.locator('.widget[data-kind="note"]').focus();
  await page.keyboard.press('Enter');
  await page.getByLabel('Note markdown').fill('# Runbook');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.widget[data-kind="note"] .note-body h1', { hasText: 'Runbook' }).waitFor();
  await waitSaved(page);
  await context.close();
});
