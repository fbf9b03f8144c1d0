// The query editor in a real Chromium against a real `dogwatch serve`: the seed queries of the query
// language (a rollup, anomalies with their band, a sum, two queries in one graph) are typed by hand
// and drawn; a broken query is underlined where it breaks; suggestions follow the cursor.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, postSeries, screenshot, startServer } from './harness.mjs';

const CANVAS = 'canvas.chart-canvas';
const EDITOR = '#query';
const HOUR = 3600;

const ROLLUP = 'avg:my_metric{host:ubuntu}.rollup(sum, 3600)';
const ANOMALIES = "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)";
const SUM = 'sum:postgresql.rows_returned{host:x}';
const TWO = 'avg:my_metric{host:ubuntu}, sum:postgresql.rows_returned{host:x}';
const BROKEN = 'avg:my_metric{host:ubuntu';

/** Timestamps (s) every `step` seconds over the past two hours, oldest first. */
function pastTwoHours(now, step) {
  const count = Math.floor((2 * HOUR) / step);
  return Array.from({ length: count }, (_, i) => now - (count - i) * step);
}

/** A small deterministic wobble in [-1, 1] (no Math.random: a failure must be reproducible). */
function wobble(i) {
  return Math.sin(i * 12.9898) * 0.6 + Math.sin(i * 4.1414) * 0.4;
}

/** The explorer in query mode, over the past 4 hours (the data covers the past 2). */
function queryUrl(server, q = '') {
  return `${server.base}/metric/explorer?q=${encodeURIComponent(q)}&span=4h&live=true`;
}

/**
 * Waits until the graph is drawn with `n` series. Fails at once, with the words on the page, if the
 * editor or the panel shows a problem instead.
 */
async function drawn(page, n) {
  const outcome = await page.waitForFunction(
    (n) => {
      const canvas = document.querySelector('canvas.chart-canvas');
      if (canvas?.dataset.series === String(n)) return { ok: true };
      const problem = document.querySelector('.query-problem .query-error, .state.error');
      if (problem) return { ok: false, text: problem.textContent };
      return null;
    },
    n,
    { timeout: 15_000 },
  );
  const { ok, text } = await outcome.jsonValue();
  assert.ok(ok, `expected a graph of ${n} series, the page says: ${text}`);
  const canvas = page.locator(CANVAS);
  return {
    points: Number(await canvas.getAttribute('data-points')),
    bands: Number(await canvas.getAttribute('data-bands')),
    anomalies: Number(await canvas.getAttribute('data-anomalies')),
  };
}

/** Types `text` into the editor as a user would paste it, and runs it with Enter. */
async function runQuery(page, text) {
  const editor = page.locator(EDITOR);
  await editor.fill(text);
  await editor.press('Enter');
  await page.waitForFunction((q) => new URL(location.href).searchParams.get('q') === q, text);
}

/**
 * Counts plot-area pixels by color: each legend swatch's series color, the anomaly red, and the band's
 * translucent grey over white.
 */
async function pixelCounts(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('canvas.chart-canvas');
    const [left, top, right, bottom] = canvas.dataset.plotArea.split(',').map(Number);
    const { data } = canvas.getContext('2d').getImageData(left, top, right - left, bottom - top);
    const colors = [...document.querySelectorAll('.legend .legend-item > .swatch')].map((s) =>
      getComputedStyle(s).backgroundColor.match(/\d+/g).map(Number),
    );
    const series = colors.map(() => 0);
    let red = 0;
    let band = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a < 200) continue;
      colors.forEach(([cr, cg, cb], k) => {
        if (Math.abs(r - cr) + Math.abs(g - cg) + Math.abs(b - cb) <= 30) series[k] += 1;
      });
      if (r > 200 && g < 70 && b < 70) red += 1;
      // rgba(110, 118, 130, 0.28) over white is about (214, 217, 220).
      if (Math.abs(r - 214) <= 7 && Math.abs(g - 217) <= 7 && Math.abs(b - 220) <= 7) band += 1;
    }
    return { series, red, band };
  });
}

async function legendLabels(page) {
  return page.locator('.legend .legend-label').allTextContents();
}

/** The labels of the suggestions on screen. */
async function suggestionLabels(page) {
  await page.locator('.completions').waitFor();
  return page.locator('.completions [role=option] .completion-label').allTextContents();
}

describe('query editor', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const now = Math.floor(Date.now() / 1000);
    // my_metric: a point every 45 s over the past two hours, sweeping 0–1000.
    const myMetric = pastTwoHours(now, 45).map((ts, i) => [ts, 500 + 500 * Math.sin(i / 9)]);
    // mysql cpu: steady around 40, then a spike of 400 that lasts a minute, five minutes ago.
    const cpu = pastTwoHours(now, 20).map((ts, i) => {
      const spike = ts >= now - 5 * 60 && ts < now - 4 * 60;
      return [ts, spike ? 400 : 40 + 1.5 * wobble(i)];
    });
    const rows = pastTwoHours(now, 60).map((ts, i) => [ts, 150 + 40 * wobble(i + 7)]);
    await postSeries(server, [
      { metric: 'my_metric', type: 'gauge', host: 'ubuntu', points: myMetric },
      { metric: 'mysql.performance.cpu_time', type: 'gauge', host: 'ubuntu', points: cpu },
      { metric: 'postgresql.rows_returned', type: 'gauge', host: 'x', points: rows },
    ]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Builder | Query: the builder query carries over, the URL keeps the text, a link reopens it', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/metric/explorer?metric=my_metric&scope=host:ubuntu&span=4h&live=true`);
    await drawn(page, 1);
    await page.getByRole('button', { name: 'Query', exact: true }).click();
    const editor = page.locator(EDITOR);
    await editor.waitFor();
    assert.equal(await editor.inputValue(), 'avg:my_metric{host:ubuntu}');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'avg:my_metric{host:ubuntu}');
    await drawn(page, 1);

    await runQuery(page, SUM);
    await drawn(page, 1);
    const link = page.url();
    const other = await openPage(browser);
    await other.page.goto(link);
    await drawn(other.page, 1);
    assert.equal(await other.page.locator(EDITOR).inputValue(), SUM);
    await other.context.close();

    // Back to the builder: a query the fields can express fills them.
    await page.getByRole('button', { name: 'Builder', exact: true }).click();
    await page.locator('#metric').waitFor();
    assert.equal(await page.locator('#metric').inputValue(), 'postgresql.rows_returned');
    assert.equal(await page.locator('#agg').inputValue(), 'sum');
    assert.equal(new URL(page.url()).searchParams.get('q'), null);
    await drawn(page, 1);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('seed: sum:postgresql.rows_returned{host:x} draws', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(queryUrl(server));
    await runQuery(page, SUM);
    const graph = await drawn(page, 1);
    assert.ok(graph.points >= 100, `points drawn: ${graph.points}`);
    assert.equal(graph.bands, 0);
    const pixels = await pixelCounts(page);
    assert.ok(pixels.series[0] > 100, `pixels of the line: ${pixels.series[0]}`);
    assert.equal(await page.locator('.query-problem').count(), 0);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('seed: avg:my_metric{host:ubuntu}.rollup(sum, 3600) draws hourly sums', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(queryUrl(server));
    await runQuery(page, ROLLUP);
    const graph = await drawn(page, 1);
    // Two hours of data in one-hour buckets: two or three buckets, whatever the clock.
    assert.ok(graph.points >= 2 && graph.points <= 4, `hourly points drawn: ${graph.points}`);
    const pixels = await pixelCounts(page);
    assert.ok(pixels.series[0] > 40, `pixels of the line: ${pixels.series[0]}`);
    assert.equal(await page.locator('.query-problem').count(), 0);
    await screenshot(page, 'queries-rollup');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test("seed: anomalies(…, 'basic', 2) draws a grey band and the spike in red", async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(queryUrl(server));
    await runQuery(page, ANOMALIES);
    const graph = await drawn(page, 1);
    assert.equal(graph.bands, 1, 'one band');
    assert.ok(graph.anomalies >= 1, `points outside the band: ${graph.anomalies}`);
    const pixels = await pixelCounts(page);
    assert.ok(pixels.red >= 10, `red pixels: ${pixels.red}`);
    // The band is a thin strip when the spike falls in one bucket and stretches the value axis (it
    // depends on the second the test starts: 12 pixels seen then, ~470 otherwise): drawn is what counts.
    assert.ok(pixels.band >= 10, `band pixels: ${pixels.band}`);
    assert.ok(pixels.series[0] > 100, `pixels of the line: ${pixels.series[0]}`);
    assert.match(await page.locator('.legend .legend-band').textContent(), /basic band, bounds 2/);
    assert.match(await page.locator('.legend .legend-anomalies').textContent(), /\d+ points? outside/);

    // The tooltip gives the band at the hovered time.
    const box = await page.locator(CANVAS).boundingBox();
    const [left, top, right, bottom] = (await page.locator(CANVAS).getAttribute('data-plot-area')).split(',').map(Number);
    await page.mouse.move(box.x + left + (right - left) * 0.9, box.y + (top + bottom) / 2);
    const band = page.locator('.tooltip .tooltip-band');
    await band.waitFor();
    assert.match(await band.textContent(), /^band -?[\d.]+[KMGT]? – -?[\d.]+[KMGT]?$/);
    await screenshot(page, 'queries-anomalies');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('seed: two comma-separated queries draw in one graph with a legend entry each', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(queryUrl(server));
    await runQuery(page, TWO);
    await drawn(page, 2);
    const labels = await legendLabels(page);
    assert.equal(labels.length, 2);
    assert.ok(labels.some((l) => l.includes('my_metric')), `legend: ${labels}`);
    assert.ok(labels.some((l) => l.includes('postgresql.rows_returned')), `legend: ${labels}`);
    const pixels = await pixelCounts(page);
    assert.ok(pixels.series.every((n) => n > 40), `pixels per series: ${pixels.series}`);
    await screenshot(page, 'queries-two');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a broken query is underlined where it breaks, and draws nothing new', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(queryUrl(server, SUM));
    await drawn(page, 1);
    const editor = page.locator(EDITOR);
    await editor.fill(BROKEN);
    // Checked in the browser as typing pauses, before anything is sent.
    const problem = page.locator('.query-problem');
    await problem.waitFor();
    assert.equal(await problem.locator('.before').textContent(), BROKEN);
    const bad = problem.locator('.bad');
    assert.equal(await bad.getAttribute('data-first-column'), String(BROKEN.length + 1));
    assert.ok(await bad.evaluate((el) => el.classList.contains('missing')), 'the missing `}` is marked at the end');
    assert.equal(await bad.evaluate((el) => getComputedStyle(el).textDecorationStyle), 'wavy');
    const message = await problem.locator('.query-error').textContent();
    assert.match(message, /`\}`/, message);
    assert.match(message, /column 14/, message);
    assert.equal(await editor.getAttribute('aria-invalid'), 'true');
    // The old graph stays until the query is run.
    assert.equal(new URL(page.url()).searchParams.get('q'), SUM);
    assert.equal(await page.locator(CANVAS).getAttribute('data-series'), '1');
    await screenshot(page, 'queries-broken');

    await editor.press('Enter');
    await page.getByText('Fix the query above to see a graph.').waitFor();
    assert.equal(await page.locator(CANVAS).count(), 0, 'a broken query draws nothing');
    assert.equal(await problem.locator('.before').textContent(), BROKEN);

    // Fixing it clears the message and draws again.
    await editor.press('End');
    await editor.pressSequentially('}');
    await editor.press('Enter');
    await drawn(page, 1);
    await problem.waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a band and several queries in an answer are drawn as such (answer stubbed: the drawing alone)', async () => {
    // The same answer shape the evaluator gives, made up here so the drawing is checked on its own.
    const { context, page, pageErrors } = await openPage(browser);
    const nowMs = Math.floor(Date.now() / 60_000) * 60_000;
    const ts = Array.from({ length: 120 }, (_, i) => nowMs - (120 - i) * 60_000);
    const cpu = ts.map((t, i) => [t, i === 100 ? 400 : i === 60 ? 5 : 40 + 1.5 * wobble(i)]);
    const base = { aggr: 'avg', interval: 60, length: 120, start: ts[0], end: ts[119], attributes: {}, unit: null, tag_set: [] };
    const answer = {
      status: 'ok', res_type: 'time_series', resp_version: 1, query: 'stub', from_date: 0, to_date: 0,
      group_by: [], message: '', times: [], values: [],
      series: [
        {
          ...base, metric: 'mysql.performance.cpu_time', display_name: 'mysql.performance.cpu_time',
          expression: ANOMALIES, scope: 'host:ubuntu', query_index: 0, pointlist: cpu,
          band: {
            algorithm: 'basic', bounds: 2,
            // Unknown for the first ten minutes, as a lagging window has no history yet.
            upper: ts.map((t, i) => [t, i < 10 ? null : 44]),
            lower: ts.map((t, i) => [t, i < 10 ? null : 36]),
          },
        },
        {
          ...base, metric: 'postgresql.rows_returned', display_name: 'postgresql.rows_returned',
          expression: SUM, scope: 'host:x', query_index: 1, pointlist: ts.map((t, i) => [t, 150 + 40 * wobble(i)]),
        },
      ],
    };
    await page.route((url) => url.pathname === '/api/v1/query', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) }),
    );
    // A query any version of the parser takes: what is drawn comes from the stubbed answer.
    await page.goto(queryUrl(server, 'avg:mysql.performance.cpu_time{host:ubuntu}'));
    const graph = await drawn(page, 2);
    assert.equal(graph.bands, 1);
    assert.equal(graph.anomalies, 2, 'the spike above and the dip below the band');
    assert.equal(graph.points, 240);
    assert.deepEqual(await legendLabels(page), [ANOMALIES, SUM]);
    assert.equal(await page.locator('.legend .legend-band').textContent(), 'basic band, bounds 2');
    assert.equal(await page.locator('.legend .legend-anomalies').textContent(), '2 points outside');
    const pixels = await pixelCounts(page);
    assert.ok(pixels.red >= 20, `red pixels: ${pixels.red}`);
    // The band is a thin strip when the spike falls in one bucket and stretches the value axis (it
    // depends on the second the test starts: 12 pixels seen then, ~470 otherwise): drawn is what counts.
    assert.ok(pixels.band >= 10, `band pixels: ${pixels.band}`);
    assert.ok(pixels.series.every((n) => n > 40), `pixels per series: ${pixels.series}`);

    // The tooltip: each series' value, and the band where there is one.
    const box = await page.locator(CANVAS).boundingBox();
    const [left, top, right, bottom] = (await page.locator(CANVAS).getAttribute('data-plot-area')).split(',').map(Number);
    const xOf = (t) => left + ((t - (nowMs - 4 * HOUR * 1000)) / (4 * HOUR * 1000)) * (right - left);
    await page.mouse.move(box.x + xOf(ts[80]), box.y + (top + bottom) / 2);
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor();
    assert.deepEqual(await tooltip.locator('.tooltip-band').allTextContents(), ['band 36 – 44']);
    assert.equal((await tooltip.locator('li').allTextContents()).length, 2);
    await screenshot(page, 'queries-band-stubbed');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('at phone width a long query, its problem and its suggestions fit without horizontal scrolling', async () => {
    const { context, page, pageErrors } = await openPage(browser, { width: 375, height: 740, deviceScaleFactor: 2 });
    await page.goto(queryUrl(server));
    const editor = page.locator(EDITOR);
    await editor.fill(`${ANOMALIES}, ${SUM} + avg:my_metric{host:ubuntu`);
    await page.locator('.query-problem').waitFor();
    await editor.pressSequentially(', env');
    await editor.press('End');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
    const box = await editor.boundingBox();
    assert.ok(box.height > 60, `the editor grows with a long query (height ${box.height})`);
    await screenshot(page, 'queries-phone');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test("the API's 400 is shown the same way, at the column it names", async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.route((url) => url.pathname === '/api/v1/query', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ errors: ['no metric named `nope` at column 5'] }),
      }),
    );
    await page.goto(queryUrl(server));
    await runQuery(page, 'avg:nope{*}');
    const problem = page.locator('.query-problem');
    await problem.waitFor();
    assert.equal(await problem.locator('.bad').textContent(), 'nope');
    assert.equal(await problem.locator('.before').textContent(), 'avg:');
    assert.equal(await problem.locator('.query-error').textContent(), 'no metric named `nope` at column 5');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('suggestions: metric names, tags, functions and modifiers, by keyboard and mouse', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(queryUrl(server));
    const editor = page.locator(EDITOR);
    await editor.click();
    await editor.pressSequentially('anom');
    assert.deepEqual(await suggestionLabels(page), ['anomalies()']);
    await editor.press('Tab');
    assert.equal(await editor.inputValue(), 'anomalies(');
    await editor.fill('');

    await editor.pressSequentially('avg:my_');
    assert.deepEqual(await suggestionLabels(page), ['my_metric']);
    await page.locator('.completions [role=option]', { hasText: 'my_metric' }).click();
    assert.equal(await editor.inputValue(), 'avg:my_metric');

    await editor.pressSequentially('{ho');
    await page.locator('.completions [role=option]', { hasText: 'host:ubuntu' }).waitFor();
    const labels = await suggestionLabels(page);
    for (let i = 0; i <= labels.indexOf('host:ubuntu'); i += 1) await editor.press('ArrowDown');
    await editor.press('Enter');
    assert.equal(await editor.inputValue(), 'avg:my_metric{host:ubuntu');

    await editor.pressSequentially('}.rol');
    assert.deepEqual(await suggestionLabels(page), ['rollup()']);
    await screenshot(page, 'queries-suggestions');
    await editor.press('Tab');
    assert.equal(await editor.inputValue(), 'avg:my_metric{host:ubuntu}.rollup(');
    await editor.pressSequentially('su');
    assert.deepEqual(await suggestionLabels(page), ['sum']);
    await page.locator('.completions [role=option]', { hasText: 'sum' }).click();
    await editor.pressSequentially(', 3600)');
    assert.equal(await editor.inputValue(), ROLLUP);

    // The suggestions follow the cursor, not the end of the text.
    const inModifier = ROLLUP.indexOf('.rollup') + 3;
    await editor.evaluate((el, at) => el.setSelectionRange(at, at), inModifier);
    await editor.press('ArrowRight');
    assert.deepEqual(await suggestionLabels(page), ['rollup()']);
    await editor.press('Escape');
    await page.locator('.completions').waitFor({ state: 'detached' });
    await editor.press('Enter');
    await page.waitForFunction((q) => new URL(location.href).searchParams.get('q') === q, ROLLUP);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
