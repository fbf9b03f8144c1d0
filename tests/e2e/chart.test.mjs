// The chart in a real Chromium: the legend hides and shows series, dragging across the explorer's
// graph pauses on the window selected, moving the pointer never redraws the canvas, and graphs
// sharing a crosshair context show the crosshair together.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, postSeries, startServer } from './harness.mjs';

const CANVAS = 'canvas.chart-canvas';

/** Points every 20 s over the past 4 minutes, around `level`. */
function recentPoints(level, swing) {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: 12 }, (_, i) => [now - 230 + i * 20, level + swing * Math.sin(i / 2)]);
}

async function waitForSeries(page, n) {
  await page.waitForFunction((n) => document.querySelector('canvas.chart-canvas')?.dataset.series === String(n), n);
}

/** The plotting area in page coordinates (the canvas' data-plot-area is in canvas pixels). */
async function plotBox(page, canvas = page.locator(CANVAS).first()) {
  const box = await canvas.boundingBox();
  const [left, top, right, bottom] = (await canvas.getAttribute('data-plot-area')).split(',').map(Number);
  const dpr = await page.evaluate(() => window.devicePixelRatio);
  return { left: box.x + left / dpr, right: box.x + right / dpr, top: box.y + top / dpr, bottom: box.y + bottom / dpr };
}

describe('chart', () => {
  let server;
  let browser;
  let url;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    await postSeries(server, [
      { metric: 'my_metric', type: 'gauge', host: 'ubuntu', points: recentPoints(700, 150) },
      { metric: 'my_metric', type: 'gauge', host: 'debian', points: recentPoints(250, 80) },
    ]);
    url = `${server.base}/metric/explorer?metric=my_metric&agg=avg&by=host&span=5m&live=true`;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a legend entry hides and shows its series', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(url);
    await waitForSeries(page, 2);
    const canvas = page.locator(CANVAS);
    const both = Number(await canvas.getAttribute('data-points'));
    const debian = page.getByRole('button', { name: 'host:debian' });
    assert.equal(await debian.getAttribute('aria-pressed'), 'true');
    await debian.click();
    await waitForSeries(page, 1);
    assert.equal(await canvas.getAttribute('data-hidden'), '1');
    assert.equal(await debian.getAttribute('aria-pressed'), 'false');
    assert.ok(Number(await canvas.getAttribute('data-points')) < both, 'the hidden series is not counted');
    // Still listed, so that it can be shown again.
    assert.equal(await page.locator('.legend .legend-label').count(), 2);
    // The tooltip lists only the series shown.
    const plot = await plotBox(page);
    await page.mouse.move((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2);
    await page.locator('.tooltip').waitFor();
    assert.deepEqual(await page.locator('.tooltip .tooltip-label').allTextContents(), ['host:ubuntu']);
    await debian.click();
    await waitForSeries(page, 2);
    assert.equal(await canvas.getAttribute('data-hidden'), '0');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('moving the pointer shows the crosshair and tooltip without redrawing the canvas', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(url);
    await waitForSeries(page, 2);
    const canvas = page.locator(CANVAS);
    const draws = Number(await canvas.getAttribute('data-draws'));
    assert.ok(draws >= 1);
    const plot = await plotBox(page);
    const y = (plot.top + plot.bottom) / 2;
    for (let i = 0; i <= 40; i += 1) {
      await page.mouse.move(plot.left + ((plot.right - plot.left) * i) / 40, y);
    }
    await page.locator('.tooltip').waitFor();
    await page.locator('.crosshair').waitFor();
    // A live refresh may redraw (new data), but never more than once in these few seconds.
    assert.ok(Number(await canvas.getAttribute('data-draws')) <= draws + 1, 'the pointer redrew the canvas');
    await page.mouse.move(1, 1);
    await page.locator('.crosshair').waitFor({ state: 'hidden' });
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a click leaves the graph alone; a drag across it pauses on the window selected', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(url);
    await waitForSeries(page, 2);
    const plot = await plotBox(page);
    const y = (plot.top + plot.bottom) / 2;
    const at = (f) => plot.left + (plot.right - plot.left) * f;

    // A 3-pixel drag is a click.
    await page.mouse.move(at(0.5), y);
    await page.mouse.down();
    await page.mouse.move(at(0.5) + 3, y);
    await page.mouse.up();
    await page.waitForTimeout(300);
    assert.equal(new URL(page.url()).searchParams.get('live'), 'true');

    await page.mouse.move(at(0.25), y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i += 1) await page.mouse.move(at(0.25 + (0.5 * i) / 10), y);
    await page.locator('.chart-selection').waitFor();
    await page.mouse.up();
    await page.waitForURL(/live=false/);
    const params = new URL(page.url()).searchParams;
    const from = Number(params.get('from_ts'));
    const to = Number(params.get('to_ts'));
    // Half of a 5-minute window, give or take a pixel.
    assert.ok(Math.abs(to - from - 150_000) < 5_000, `selected ${to - from} ms`);
    assert.equal(await page.locator('.chart-selection').count(), 0);
    await page.locator('.live-badge.paused').waitFor();
    await waitForSeries(page, 2);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('graphs sharing a crosshair context show it together; only the hovered one has a tooltip', async () => {
    const { context, page, pageErrors } = await openPage(browser, { height: 1200 });
    await page.goto(url);
    await page.waitForFunction(() => window.wasmBindings?.bench_draw);
    await page.evaluate(() => {
      const ts = Array.from({ length: 600 }, (_, i) => 1_700_000_000_000 + i * 1000);
      const values = ts.map((_, i) => Math.sin(i / 30));
      for (const id of ['first', 'second']) {
        const el = document.createElement('div');
        el.id = id;
        document.body.prepend(el);
        window.wasmBindings.bench_draw(el, ts, values, 600, 200);
      }
    });
    const first = page.locator('#first canvas.chart-canvas');
    const second = page.locator('#second canvas.chart-canvas');
    await page.waitForFunction(() => ['first', 'second'].every((id) => document.querySelector(`#${id} canvas`)?.dataset.draws === '1'));
    const plot = await plotBox(page, first);
    await page.mouse.move((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2);
    await page.locator('#first .tooltip').waitFor();
    await page.locator('#second .crosshair').waitFor();
    assert.equal(await page.locator('#second .tooltip').count(), 0);
    const [a, b] = await Promise.all(
      [first, second].map((c) => c.evaluate((c) => c.parentElement.querySelector('.crosshair').getBoundingClientRect().x - c.getBoundingClientRect().x)),
    );
    assert.ok(Math.abs(a - b) < 1.5, `crosshairs at ${a} and ${b}`);
    assert.equal(await second.getAttribute('data-draws'), '1');
    await page.mouse.move(1, 1);
    await page.locator('#second .crosshair').waitFor({ state: 'hidden' });
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('area, bars, a log axis and a marker draw in the palette asked for', async () => {
    const { context, page, pageErrors } = await openPage(browser, { height: 1000 });
    await page.goto(`${server.base}/no-such-page`);
    await page.waitForFunction(() => window.wasmBindings?.bench_style);
    const cases = [
      ['area', 'warm', false, 0.5, 'target'],
      ['bars', 'cool', false, 0, ''],
      ['line', 'purple', true, 2, 'log marker'],
    ];
    for (const [display, palette, log, marker, label] of cases) {
      const result = await page.evaluate(async ([display, palette, log, marker, label]) => {
        const el = document.createElement('div');
        document.body.prepend(el);
        window.wasmBindings.bench_style(display, palette, log, marker, label);
        // Positive values with a few zeros, which a log axis skips.
        const ts = Array.from({ length: 300 }, (_, i) => 1_700_000_000_000 + i * 1000);
        const values = ts.map((_, i) => (i % 50 === 0 ? 0 : 1 + Math.sin(i / 20)));
        window.wasmBindings.bench_draw(el, ts, values, 600, 200);
        await new Promise((resolve) => {
          const check = () => (el.querySelector('canvas')?.dataset.draws === '1' ? resolve() : setTimeout(check, 20));
          check();
        });
        const canvas = el.querySelector('canvas');
        const [r, g, b] = getComputedStyle(el.querySelector('.legend .swatch')).backgroundColor.match(/\d+/g).map(Number);
        const [left, top, right, bottom] = canvas.dataset.plotArea.split(',').map(Number);
        const { data } = canvas.getContext('2d').getImageData(left, top, right - left, bottom - top);
        let close = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) <= 30) close += 1;
        }
        const drawn = Number(canvas.dataset.drawnPoints);
        el.remove();
        return { color: [r, g, b], close, drawn };
      }, [display, palette, log, marker, label]);
      assert.ok(result.drawn > 0, `${display}: nothing drawn`);
      assert.ok(result.close > 100, `${display} in ${palette} ${result.color}: ${result.close} pixels`);
      // On the log axis the zeros are skipped.
      if (log) assert.equal(result.drawn, 294);
    }
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
