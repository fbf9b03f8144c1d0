// The Metrics Explorer in a real Chromium against a real `dogwatch serve`: a user sends `my_metric`
// from two hosts, finds it by typing, groups it by host over the past 5 minutes, shares the link,
// pauses, hovers, and reads the error states.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, postSeries, screenshot, startServer } from './harness.mjs';

const CANVAS = 'canvas.chart-canvas';

/** Points every 20 s over the past 4 minutes, around `level`. */
function recentPoints(level, swing) {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: 12 }, (_, i) => [now - 230 + i * 20, level + swing * Math.sin(i / 2)]);
}

/** Waits until the graph has been drawn with `n` series. */
async function waitForSeries(page, n) {
  await page.waitForFunction((n) => document.querySelector('canvas.chart-canvas')?.dataset.series === String(n), n);
}

/** The graph's first legend color, and how many plot-area pixels are close to it. */
async function pixelsOfFirstSeries(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('canvas.chart-canvas');
    const [left, top, right, bottom] = canvas.dataset.plotArea.split(',').map(Number);
    const swatch = document.querySelector('.legend .swatch');
    const [r, g, b] = getComputedStyle(swatch).backgroundColor.match(/\d+/g).map(Number);
    const { data } = canvas.getContext('2d').getImageData(left, top, right - left, bottom - top);
    let close = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) <= 30 && data[i + 3] > 200) {
        close += 1;
      }
    }
    return { close, color: [r, g, b], area: [left, top, right, bottom] };
  });
}

/** The UI's paused-window label ("Nov 21, 10:00:00 – 10:05:00") as it should read in `timeZone`. */
function windowLabelIn(timeZone, fromMs, toMs) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const parts = (ms) => Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const [a, b] = [parts(fromMs), parts(toMs)];
  const time = (p) => `${p.hour}:${p.minute}:${p.second}`;
  const end = a.month === b.month && a.day === b.day ? time(b) : `${b.month} ${b.day}, ${time(b)}`;
  return `${a.month} ${a.day}, ${time(a)} – ${end}`;
}

async function legendLabels(page) {
  return (await page.locator('.legend .legend-label').allTextContents()).sort();
}

describe('metrics explorer', () => {
  let server;
  let browser;
  /** The link of the grouped 5-minute view, as a user would copy it. */
  let sharedUrl;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    await postSeries(server, [
      { metric: 'my_metric', type: 'gauge', host: 'ubuntu', tags: ['env:test', 'region:france'], points: recentPoints(700, 150) },
      { metric: 'my_metric', type: 'gauge', host: 'debian', tags: ['env:test'], points: recentPoints(250, 80) },
      { metric: 'xss.check', type: 'gauge', host: '<img src=x onerror=alert(1)>', points: recentPoints(1, 0) },
    ]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the shell links only to pages that exist, / opens the explorer, unknown pages say so', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/`);
    await page.waitForURL(/\/metric\/explorer$/);
    const navLinks = await page.locator('nav .nav-links a').allTextContents();
    assert.deepEqual(navLinks, ['Dashboards', 'Monitors', 'Metrics Explorer', 'APM', 'Events', 'Inbox', 'Keys', 'Settings']);
    for (const href of await page.locator('nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      const response = await page.request.get(`${server.base}${href}`);
      assert.equal(response.status(), 200, `nav link ${href}`);
    }
    await page.locator('.state.idle').getByText('Choose a metric to graph.').waitFor();

    await page.goto(`${server.base}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    // In-app links navigate without reloading the page (a marker on window survives), the current
    // page's link says so, and Back/Forward move between pages.
    await page.evaluate(() => { window.stillTheSamePage = true; });
    await page.getByRole('link', { name: 'Go to the Metrics Explorer' }).click();
    await page.waitForURL(/\/metric\/explorer$/);
    const current = () => page.locator('nav .nav-links a[aria-current="page"]').allTextContents();
    assert.deepEqual(await current(), ['Metrics Explorer']);
    await page.locator('nav .nav-links').getByRole('link', { name: 'Dashboards' }).click();
    await page.waitForURL(/\/dashboard\/lists$/);
    await page.getByRole('heading', { name: 'Dashboards' }).waitFor();
    assert.deepEqual(await current(), ['Dashboards']);
    await page.goBack();
    await page.waitForURL(/\/metric\/explorer$/);
    await page.locator('.state.idle').getByText('Choose a metric to graph.').waitFor();
    await page.goForward();
    await page.waitForURL(/\/dashboard\/lists$/);
    await page.getByRole('heading', { name: 'Dashboards' }).waitFor();
    assert.equal(await page.evaluate(() => window.stillTheSamePage), true, 'the page was reloaded');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('pick a metric by typing, group by host over the past 5 minutes', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/metric/explorer`);
    const metric = page.locator('#metric');
    await metric.click();
    await metric.pressSequentially('my_m');
    await page.locator('.suggestions [role=option]', { hasText: /^my_metric$/ }).click();
    assert.equal(await metric.inputValue(), 'my_metric');

    const by = page.locator('#by');
    await by.click();
    await by.pressSequentially('ho');
    await page.locator('.suggestions [role=option]', { hasText: /^host$/ }).click();
    await page.selectOption('#timeframe', { label: 'Past 5 Minutes' });

    await waitForSeries(page, 2);
    assert.deepEqual(await legendLabels(page), ['host:debian', 'host:ubuntu']);
    assert.equal(await page.locator('.query-text code').textContent(), 'avg:my_metric{*} by {host}');
    const points = Number(await page.locator(CANVAS).getAttribute('data-points'));
    assert.ok(points >= 4, `points drawn: ${points}`);
    const pixels = await pixelsOfFirstSeries(page);
    assert.ok(pixels.close > 40, `pixels of the first series' color ${pixels.color} in ${pixels.area}: ${pixels.close}`);

    const url = new URL(page.url());
    assert.equal(url.searchParams.get('metric'), 'my_metric');
    assert.equal(url.searchParams.get('by'), 'host');
    assert.equal(url.searchParams.get('agg'), 'avg');
    assert.equal(url.searchParams.get('span'), '5m');
    assert.equal(url.searchParams.get('live'), 'true');
    sharedUrl = page.url();
    await screenshot(page, 'explorer-desktop');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a copied link and a reload show the same view', async () => {
    assert.ok(sharedUrl, 'the previous test made the link');
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(sharedUrl);
    await waitForSeries(page, 2);
    assert.equal(await page.locator('#metric').inputValue(), 'my_metric');
    assert.equal(await page.locator('#by').inputValue(), 'host');
    assert.equal(await page.locator('#timeframe').inputValue(), '5m');
    assert.deepEqual(await legendLabels(page), ['host:debian', 'host:ubuntu']);
    await page.reload();
    await waitForSeries(page, 2);
    assert.equal(await page.locator('#metric').inputValue(), 'my_metric');
    assert.deepEqual(await legendLabels(page), ['host:debian', 'host:ubuntu']);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('scope suggestions come from the metric tags and filter the graph', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(sharedUrl);
    await waitForSeries(page, 2);
    const scope = page.locator('#scope');
    await scope.click();
    await scope.pressSequentially('ubu');
    await page.locator('.suggestions [role=option]', { hasText: /^host:ubuntu$/ }).click();
    await waitForSeries(page, 1);
    assert.deepEqual(await legendLabels(page), ['host:ubuntu']);
    assert.equal(new URL(page.url()).searchParams.get('scope'), 'host:ubuntu');
    assert.equal(await page.locator('.query-text code').textContent(), 'avg:my_metric{host:ubuntu} by {host}');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('pause freezes the window in the URL, resume goes live again', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(sharedUrl);
    await waitForSeries(page, 2);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(/live=false/);
    const url = new URL(page.url());
    const from = Number(url.searchParams.get('from_ts'));
    const to = Number(url.searchParams.get('to_ts'));
    assert.equal(to - from, 5 * 60 * 1000, `paused window ${from}..${to}`);
    assert.ok(Math.abs(Date.now() - to) < 60_000, 'the frozen window ends about now');
    await page.locator('.live-badge.paused').waitFor();
    const windowLabel = await page.locator('.window-label').textContent();
    await waitForSeries(page, 2);
    await screenshot(page, 'explorer-paused');

    // The paused link opens the same frozen window elsewhere, shown in that browser's time zone.
    const other = await openPage(browser, { timezoneId: 'Asia/Kolkata' });
    await other.page.goto(page.url());
    await waitForSeries(other.page, 2);
    assert.equal(await other.page.locator('.window-label').textContent(), windowLabelIn('Asia/Kolkata', from, to));
    assert.equal(new URL(other.page.url()).searchParams.get('from_ts'), String(from));
    await other.context.close();
    const ownZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    assert.equal(windowLabel, windowLabelIn(ownZone, from, to));

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForURL(/live=true/);
    const resumed = new URL(page.url());
    assert.equal(resumed.searchParams.get('from_ts'), null);
    assert.equal(resumed.searchParams.get('span'), '5m');
    await waitForSeries(page, 2);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('hovering the graph shows the time and each series value', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(sharedUrl);
    await waitForSeries(page, 2);
    const box = await page.locator(CANVAS).boundingBox();
    const [left, top, right, bottom] = (await page.locator(CANVAS).getAttribute('data-plot-area')).split(',').map(Number);
    const dpr = await page.evaluate(() => window.devicePixelRatio);
    await page.mouse.move(box.x + (left + right) / 2 / dpr, box.y + (top + bottom) / 2 / dpr);
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor();
    assert.match(await tooltip.locator('.tooltip-time').textContent(), /\d\d:\d\d:\d\d/);
    const labels = await tooltip.locator('.tooltip-label').allTextContents();
    assert.deepEqual([...labels].sort(), ['host:debian', 'host:ubuntu']);
    const values = await tooltip.locator('.tooltip-value').allTextContents();
    assert.ok(values.some((v) => /^-?\d+(\.\d+)?[KMGT]?$/.test(v)), `tooltip values: ${values}`);
    await screenshot(page, 'explorer-hover');
    await page.mouse.move(1, 1);
    await tooltip.waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('live refresh draws new points without blanking the graph', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(sharedUrl);
    await waitForSeries(page, 2);
    const before = Number(await page.locator(CANVAS).getAttribute('data-points'));
    await page.evaluate(() => {
      window.blankedDuringRefresh = false;
      new MutationObserver(() => {
        if (document.querySelector('.state.loading') || !document.querySelector('canvas.chart-canvas')) {
          window.blankedDuringRefresh = true;
        }
      }).observe(document.body, { subtree: true, childList: true });
    });
    // A new point arrives; the next refresh (every 10 s on a 5-minute view) must draw it.
    await postSeries(server, [
      { metric: 'my_metric', type: 'gauge', host: 'ubuntu', points: [[Math.floor(Date.now() / 1000), 640]] },
    ]);
    await page.waitForFunction(
      (n) => Number(document.querySelector('canvas.chart-canvas')?.dataset.points) > n,
      before,
      { timeout: 20_000 },
    );
    assert.equal(await page.evaluate(() => window.blankedDuringRefresh), false, 'the graph went blank during a refresh');
    assert.deepEqual(await legendLabels(page), ['host:debian', 'host:ubuntu']);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('the graph redraws to the new width when the window is resized', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(sharedUrl);
    await waitForSeries(page, 2);
    const wide = Number(await page.locator(CANVAS).getAttribute('width'));
    await page.setViewportSize({ width: 900, height: 800 });
    await page.waitForFunction(
      (wide) => Number(document.querySelector('canvas.chart-canvas')?.getAttribute('width')) < wide,
      wide,
    );
    const pixels = await pixelsOfFirstSeries(page);
    assert.ok(pixels.close > 40, `pixels of the first series' color after a resize: ${pixels.close}`);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('at phone width (2x pixels) the page fits without horizontal scrolling and the inputs stack', async () => {
    const { context, page, pageErrors } = await openPage(browser, { width: 375, height: 740, deviceScaleFactor: 2 });
    await page.goto(sharedUrl);
    await waitForSeries(page, 2);
    // Drawn at the device pixel ratio: twice as many canvas pixels as CSS pixels.
    const sizes = await page.locator(CANVAS).evaluate((c) => [c.width, c.clientWidth]);
    assert.equal(sizes[0], sizes[1] * 2, `canvas ${sizes[0]} px for ${sizes[1]} CSS px`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
    const metricBox = await page.locator('#metric').boundingBox();
    const scopeBox = await page.locator('#scope').boundingBox();
    assert.ok(scopeBox.y > metricBox.y + metricBox.height, 'scope is below metric');
    assert.ok(Math.abs(scopeBox.x - metricBox.x) < 2, 'metric and scope are aligned in one column');
    const pixels = await pixelsOfFirstSeries(page);
    assert.ok(pixels.close > 20, `pixels of the first series' color on a phone: ${pixels.close}`);
    await screenshot(page, 'explorer-phone');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('no data, and metric names and tags shown as text', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/metric/explorer?metric=my_metric&scope=host:nowhere&span=5m&live=true`);
    await page.getByText('No data for my_metric{host:nowhere} in the past 5 minutes').waitFor();

    await page.goto(`${server.base}/metric/explorer?metric=xss.check&by=host&span=15m&live=true`);
    await waitForSeries(page, 1);
    const label = await page.locator('.legend .legend-label').textContent();
    assert.match(label, /^host:<img src=x onerror=alert\(1\)>$/);
    assert.equal(await page.locator('.legend img').count(), 0, 'a tag was interpreted as HTML');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('an invalid query shows the API error under the inputs', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(sharedUrl);
    await waitForSeries(page, 2);
    const scope = page.locator('#scope');
    await scope.fill('host:ubuntu{');
    await scope.press('Enter');
    const error = page.locator('.query-error');
    await error.waitFor();
    const message = await error.textContent();
    assert.match(message, /column/i, `error message: ${message}`);
    await page.getByText('Fix the query above to see a graph.').waitFor();
    await screenshot(page, 'explorer-bad-query');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a stopped server is reported as not reachable', async () => {
    const doomed = await startServer();
    const { context, page, pageErrors } = await openPage(browser);
    try {
      await page.goto(`${doomed.base}/metric/explorer?metric=my_metric&span=5m&live=true`);
      await page.getByText('No data for my_metric in the past 5 minutes').waitFor();
      await doomed.stop();
      // Any new request now fails; choosing another timeframe makes one.
      await page.selectOption('#timeframe', '15m');
      const message = page.locator('.state.error');
      await message.waitFor();
      assert.match(await message.textContent(), new RegExp(`^dogwatch API not reachable at ${doomed.base}: .+`));
      await screenshot(page, 'explorer-unreachable');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
      await doomed.stop();
    }
  });
});
