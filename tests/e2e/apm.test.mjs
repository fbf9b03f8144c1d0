// APM in a real Chromium against a real `dogwatch serve`: spans sent as OTLP/JSON with plain fetch to
// the server's OTLP port, then the services list (counts), a service's resources, a trace across two
// services drawn on the waterfall's canvas in each service's colour with the span panel after a
// click, a hostile tag value that stays text in every view, and a 20,000-span trace that opens and
// scrolls (first paint and scroll frame times printed, not asserted).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';
import { attr, decimalId, hex, orderTrace, sendBigTrace, sendSpans, span } from './otlp.mjs';

/** The first two services' colours in a trace (the chart crate's `service_color(0)` and `(1)`). */
const FIRST_SERVICE = [63, 127, 224];
const SECOND_SERVICE = [229, 116, 42];
const HOSTILE = '<script>window.__x=1</script><img src=x onerror=window.__y=1>';

describe('APM', () => {
  let server;
  let browser;
  const now = Date.now();
  const traces = [];
  let hostileTrace;
  let bigTrace;

  before(async () => {
    server = await startServer();
    assert.ok(server.otlpBase, `no OTLP address in the server's output:\n${server.output()}`);
    browser = await launchBrowser();
    // Six orders, one of which fails, spread over the last two minutes: three of version 1.0,
    // then three of 1.1, whose last takes 60 ms instead of 40.
    for (let i = 0; i < 6; i += 1) {
      const t = orderTrace(now - 120_000 + i * 15_000, { error: i === 5, version: i < 3 ? '1.0' : '1.1', durationMs: i === 5 ? 60 : 40 });
      traces.push(t);
      await sendSpans(server, { 'shop-web': t.web, 'shop-api': t.api });
    }
    // A span whose route and tag are markup.
    hostileTrace = hex(16);
    await sendSpans(server, {
      'shop-web': [span({
        traceId: hostileTrace, name: 'GET evil', startMs: now - 30_000, durationMs: 12,
        attributes: [attr('http.method', 'GET'), attr('http.route', HOSTILE), attr('note', HOSTILE)],
      })],
    });
    bigTrace = await sendBigTrace(server, now - 60_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the services list shows each service with its requests and errors', async () => {
    const { page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/apm/services?span=15m&live=true`);
    const web = page.locator('.services-table tbody tr', { hasText: 'shop-web' });
    await web.waitFor();
    const cells = await web.locator('td').allInnerTexts();
    // Six orders and the hostile request; one order failed.
    assert.equal(cells[2], '7', `shop-web's row: ${cells.join(' | ')}`);
    assert.equal(cells[4], '14.3 %');
    const api = await page.locator('.services-table tbody tr', { hasText: 'shop-api' }).locator('td').allInnerTexts();
    assert.equal(api[2], '6', `shop-api's row: ${api.join(' | ')}`);
    // The sparkline is a canvas the chart crate drew on.
    const inked = await web.locator('canvas.spark').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
      return n;
    });
    assert.ok(inked > 0, 'the sparkline is drawn');
    await screenshot(page, 'apm-services');
    // The env filter lists the spans' env.
    assert.ok((await page.locator('#apm-env option').allInnerTexts()).includes('e2e'));
    await web.locator('a').click();
    await page.waitForURL(/\/apm\/services\/shop-web/);
    await page.locator('.resources-table').waitFor();
    assert.deepEqual(pageErrors, []);
  });

  test("a service's page lists its resources, sortable, and its calls", async () => {
    const { page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/apm/services/shop-web?span=15m&live=true`);
    const orders = page.locator('.resources-table tbody tr', { hasText: 'GET /orders' });
    await orders.waitFor();
    const cells = await orders.locator('td').allInnerTexts();
    assert.equal(cells[1], '6', `GET /orders: ${cells.join(' | ')}`);
    assert.equal(cells[11], '1');
    // Sorting by resource name puts GET /orders before the hostile GET <script>… row's "GET <".
    await page.locator('.resources-table th button', { hasText: 'Resource' }).click();
    await page.waitForURL(/sort=/);
    assert.equal(await page.locator('.resources-table th[aria-sort="descending"]').count(), 1);
    await page.locator('canvas.histogram').waitFor();
    assert.ok(await page.getByText('shop-api', { exact: true }).first().isVisible());
    await screenshot(page, 'apm-service');
    await orders.locator('a').click();
    await page.waitForURL(/\/apm\/resource\?/);
    await page.locator('.traces-table tbody tr').first().waitFor();
    assert.equal(await page.locator('.traces-table tbody tr').count(), 6);
    await screenshot(page, 'apm-resource');
    // Version 1.0 against 1.1, side by side.
    await page.locator('#resource-version').selectOption('1.0');
    await page.waitForURL(/version=1\.0/);
    await page.locator('#resource-compare').selectOption('1.1');
    await page.waitForURL(/compare=1\.1/);
    const compare = page.locator('.compare-panel');
    await compare.waitFor();
    const requests = await compare.locator('tr', { hasText: 'Requests' }).locator('td').allInnerTexts();
    assert.deepEqual(requests.slice(0, 2), ['3', '3']);
    assert.match(await compare.locator('tr', { hasText: 'Max' }).innerText(), /40 ms\s+60 ms\s+\+20 ms \(\+50 %\)/);
    assert.equal(await compare.locator('canvas.histogram').count(), 2);
    await screenshot(page, 'apm-resource-versions');
    // What is wrong is said: a service with no span in the window, an Apdex T that is no number.
    await page.goto(`${server.base}/apm/services/no-such-service?span=15m&live=true`);
    const missing = await page.getByRole('alert').innerText();
    assert.match(missing, /Not found/, missing);
    await page.goto(`${server.base}/apm/services?span=15m&live=true&apdex_t=soon`);
    assert.match(await page.getByRole('alert').innerText(), /Apdex T must be a positive number of seconds, not “soon”/);
    assert.deepEqual(pageErrors, []);
  });

  test('a trace across two services is drawn in their colours, and a click shows a span', async () => {
    const { page, pageErrors } = await openPage(browser);
    const id = decimalId(traces[0].traceId);
    await page.goto(`${server.base}/apm/trace/${id}`);
    const canvas = page.locator('canvas.waterfall-canvas');
    await canvas.waitFor();
    await page.waitForFunction(() => document.querySelector('canvas.waterfall-canvas')?.dataset.drawn === '4');
    const colours = await canvas.evaluate((c, wanted) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const counts = wanted.map(() => 0);
      for (let i = 0; i < d.length; i += 4) {
        wanted.forEach(([r, g, b], k) => {
          if (d[i] === r && d[i + 1] === g && d[i + 2] === b) counts[k] += 1;
        });
      }
      return counts;
    }, [FIRST_SERVICE, SECOND_SERVICE]);
    assert.ok(colours[0] > 500 && colours[1] > 500, `service colour pixels: ${colours}`);
    // Rows are 22 px under a 22 px time axis: the fourth row is the sqlite query.
    await canvas.click({ position: { x: 500, y: 22 + 3 * 22 + 11 } });
    const panel = page.locator('.span-panel');
    await panel.locator('pre.sql').waitFor();
    // Laid out by the sqlformat crate: a clause a line, its terms indented under it.
    assert.equal(await panel.locator('pre.sql').innerText(), 'SELECT\n  id,\n  count\nFROM\n  stock\nWHERE\n  id = ?\n  AND count > 0\nORDER BY\n  id');
    assert.ok(await panel.getByText('db.statement').isVisible());
    assert.match(await panel.locator('a.host-link').getAttribute('href'), /\/metric\/explorer\?.*scope=host(:|%3A)e2e-host/);
    const byService = await page.locator('.by-service tbody tr').allInnerTexts();
    assert.equal(byService.length, 2, byService.join('\n'));
    await screenshot(page, 'apm-trace');
    // The arrows walk the rows: up from the query is shop-api's GET /stock.
    await canvas.press('ArrowUp');
    await page.locator('.span-panel h2', { hasText: 'shop-api · http.server.request' }).waitFor();
    // Zooming in redraws the picture on a narrower window.
    await page.getByRole('button', { name: '+', exact: true }).click();
    assert.match(await page.locator('.trace-zoom').innerText(), /Showing 10 ms to 30 ms of 40 ms/);
    // Compared with the slow order (60 ms): its root is slower, its own time grew.
    await page.locator('#compare-with').fill(decimalId(traces[5].traceId));
    await page.locator('#compare-with').press('Enter');
    await page.waitForURL(/\/apm\/compare\?a=\d+&b=\d+/);
    const root = page.locator('.compare-table tbody tr', { hasText: 'GET /orders' });
    await root.waitFor();
    const cells = await root.locator('td').allInnerTexts();
    assert.deepEqual([cells[0], ...cells.slice(4)], ['slower', '1 → 1', '40 ms → 60 ms', '10 ms → 30 ms'], cells.join(' | '));
    await screenshot(page, 'apm-compare');
    assert.deepEqual(pageErrors, []);
  });

  test('at phone width with 2x pixels the trace view fits and draws at the screen density', async () => {
    const { page, pageErrors } = await openPage(browser, { width: 390, height: 844, deviceScaleFactor: 2 });
    await page.goto(`${server.base}/apm/trace/${decimalId(traces[0].traceId)}`);
    await page.waitForFunction(() => document.querySelector('canvas.waterfall-canvas')?.dataset.drawn === '4');
    const sizes = await page.locator('canvas.waterfall-canvas').evaluate((c) => ({ width: c.width, css: c.clientWidth }));
    assert.equal(sizes.width, sizes.css * 2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    await screenshot(page, 'apm-trace-phone');
    assert.deepEqual(pageErrors, []);
  });

  test('the trace search filters, draws the spans found, and a point opens its trace', async () => {
    const { page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/apm/traces?span=15m&live=true&service=shop-web&status=error&tags=http.route:*ord*`);
    await page.locator('.traces-table tbody tr').first().waitFor();
    assert.equal(await page.locator('.traces-table tbody tr').count(), 1);
    await page.locator('#trace-status').selectOption('ok');
    await page.waitForURL(/status=ok/);
    await page.locator('#trace-tags').fill('');
    await page.locator('#trace-tags').press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.traces-table tbody tr').length === 6);
    await screenshot(page, 'apm-search');
    // A point of the scatter, found by its colour, opens that span's trace.
    const point = await page.locator('canvas.scatter').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0 && d[i + 2] > 200 && d[i] < 150 && d[i + 1] < 190) {
          const p = i / 4;
          return { x: (p % c.width) / devicePixelRatio, y: Math.floor(p / c.width) / devicePixelRatio };
        }
      }
      return null;
    });
    assert.ok(point, 'a point is drawn');
    await page.locator('canvas.scatter').click({ position: point });
    await page.waitForURL(/\/apm\/trace\/\d+/);
    await page.waitForFunction(() => document.querySelector('canvas.waterfall-canvas')?.dataset.drawn === '4');
    assert.deepEqual(pageErrors, []);
  });

  test('a hostile tag value stays text in every view', async () => {
    const { page, pageErrors } = await openPage(browser);
    const inert = async (where) => {
      const found = await page.evaluate(() => ({
        x: window.__x, y: window.__y, imgs: document.querySelectorAll('img[src="x"]').length,
        scripts: [...document.scripts].filter((s) => s.text.includes('__x')).length,
      }));
      assert.deepEqual(found, { x: undefined, y: undefined, imgs: 0, scripts: 0 }, where);
    };
    await page.goto(`${server.base}/apm/services?span=15m&live=true`);
    await page.locator('.services-table').waitFor();
    await inert('services');
    await page.goto(`${server.base}/apm/services/shop-web?span=15m&live=true`);
    await page.locator('.resources-table td', { hasText: '<script>' }).waitFor();
    await inert('service');
    await page.locator('.resources-table td a', { hasText: '<script>' }).click();
    await page.locator('.traces-table tbody tr').first().waitFor();
    await inert('resource');
    await page.goto(`${server.base}/apm/traces?span=15m&live=true&service=shop-web`);
    await page.locator('.traces-table td', { hasText: '<script>' }).first().waitFor();
    await inert('search');
    await page.goto(`${server.base}/apm/trace/${decimalId(hostileTrace)}`);
    await page.waitForFunction(() => document.querySelector('canvas.waterfall-canvas')?.dataset.drawn === '1');
    await page.locator('canvas.waterfall-canvas').click({ position: { x: 500, y: 33 } });
    await page.locator('.tags-table td', { hasText: HOSTILE }).first().waitFor();
    await inert('trace');
    assert.deepEqual(pageErrors, []);
  });

  test('a 20,000-span trace opens and scrolls', async () => {
    const { page, pageErrors } = await openPage(browser);
    const started = Date.now();
    await page.goto(`${server.base}/apm/trace/${decimalId(bigTrace)}`);
    await page.waitForFunction(() => document.querySelector('canvas.waterfall-canvas')?.dataset.drawn);
    const firstPaintMs = Date.now() - started;
    // How much of that the server's answer took (a debug build in these tests), and its size.
    const fetched = await page.evaluate(() => {
      const e = performance.getEntriesByType('resource').find((r) => r.name.includes('/api/v1/dogwatch/traces/'));
      return e ? { ms: e.responseEnd - e.startTime, bytes: e.encodedBodySize } : null;
    });
    assert.match(await page.locator('.apm-summary').first().innerText(), /20000/);
    const frames = await page.evaluate(async () => {
      const box = document.querySelector('.waterfall');
      const canvas = document.querySelector('canvas.waterfall-canvas');
      const out = [];
      for (let i = 1; i <= 30; i += 1) {
        const t0 = performance.now();
        box.scrollTop = i * 7_000;
        await new Promise((r) => requestAnimationFrame(r));
        out.push({ frameMs: performance.now() - t0, drawMs: Number(canvas.dataset.drawMs), rows: Number(canvas.dataset.drawn), top: box.scrollTop });
      }
      return out;
    });
    const last = frames.at(-1);
    assert.ok(last.top > 100_000, `scrolled to ${last.top}`);
    assert.ok(last.rows > 0 && last.rows < 40, `${last.rows} rows drawn`);
    // Never one element per span.
    assert.ok(await page.evaluate(() => document.querySelectorAll('*').length) < 2_000);
    const sorted = frames.map((f) => f.frameMs).sort((a, b) => a - b);
    const draws = frames.map((f) => f.drawMs).sort((a, b) => a - b);
    const flame = await page.evaluate(() => document.querySelector('canvas.flame-canvas').dataset.drawMs);
    const minimap = await page.evaluate(() => document.querySelector('canvas.minimap').dataset.drawMs);
    console.log(`20,000-span trace: first paint ${firstPaintMs} ms after navigation (the trace's answer: ${fetched?.ms.toFixed(0)} ms, ${fetched?.bytes} bytes); scroll frames median ${sorted[15].toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms; waterfall draw median ${draws[15].toFixed(2)} ms, max ${draws.at(-1).toFixed(2)} ms; flame ${flame} ms, minimap ${minimap} ms`);
    await screenshot(page, 'apm-big-trace');
    assert.deepEqual(pageErrors, []);
  });
});
