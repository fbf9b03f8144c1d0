// The render benchmark's browser half (run by `cargo xtask bench render`, which builds first and
// prints the summary): dogwatch's chart against uPlot in headless Chromium, on the same 166,650-point
// series, the same canvas size, both fully drawn.
//
// - Draw: cold, a fresh page per run. Ours is the real `Timeseries` component mounted by the wasm
//   export `bench_mount` (same code path as the UI) on data that `bench_prepare` first turned into a
//   query answer, as the UI receives it; uPlot is `new uPlot(opts, data, el)` on its arrays. Each is timed
//   with performance.now() from the call until its draw has finished (our canvas' data-draws turns
//   to 1; uPlot's `draw` hook), plus a layout of the container and a one-pixel getImageData on
//   every canvas, which makes Chromium rasterise what was recorded: "drawn" means laid out and in
//   pixels, for both.
// - Redraws of the data alone (ours): RESTYLES palette changes through the wasm export
//   `bench_restyle`, each timed until drawn and rasterised; the size, window and value scale stay
//   the same, so the frame (grid, axes, labels on the back canvas) must not be drawn again. The
//   canvas' data-frame-draws is read after them and again after the crosshair's pointer moves.
// - Crosshair: 10 s of page.mouse.move across the plot in 2-pixel steps, JavaScript time (wasm
//   included) from CDP's Performance.getMetrics ScriptDuration before and after, per move. Measured
//   in the last HOVER_RUNS runs of each (one 10 s sample swings by ±5% on a busy machine).
//
// The page is the real UI served by `dogwatch serve --ui-dir dist` at a route that does not exist
// (a light "Page not found" page), with a blank container fixed over it.
//
// Prints one JSON line on stdout; progress goes to stderr.

import path from 'node:path';
import { launchBrowser, openPage, repoRoot, startServer } from '../e2e/harness.mjs';

const POINTS = 166_650;
const WIDTH = 1200;
const HEIGHT = 320;
const HOVER_MS = 10_000;
const HOVER_RUNS = 3;
const RESTYLES = 10;
const UPLOT_JS = path.join(repoRoot, 'node_modules/uplot/dist/uPlot.iife.min.js');
const UPLOT_CSS = path.join(repoRoot, 'node_modules/uplot/dist/uPlot.min.css');

function parseRuns(argv) {
  const i = argv.indexOf('--runs');
  const runs = i >= 0 ? Number(argv[i + 1]) : 7;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number >= 1');
  return runs;
}

/** Runs in the page: the series (1 point a second, a slow sine, a faster one and seeded noise) and a container on screen. */
function setUp({ points, width, height }) {
  let seed = 0x5eed;
  // mulberry32: small, seeded, the same numbers on every run.
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const startMs = 1_700_000_000_000;
  const tsMs = new Float64Array(points);
  const values = new Float64Array(points);
  for (let i = 0; i < points; i += 1) {
    tsMs[i] = startMs + i * 1000;
    values[i] = 50 + 30 * Math.sin(i / 3000) + 10 * Math.sin(i / 170) + (random() - 0.5) * 8;
  }
  const el = document.createElement('div');
  el.id = 'bench';
  el.style.cssText = `position: fixed; top: 0; left: 0; z-index: 1000; background: white; width: ${width}px; height: ${height + 80}px;`;
  document.body.append(el);
  window.benchData = { tsMs, values, el };
  // Done means on screen: the chart's elements laid out (ours lays out before drawing, to learn its
  // size; uPlot is told its size and would otherwise leave its layout to the next frame) and its
  // canvases rasterised (a one-pixel read makes Chromium run what was recorded).
  window.fullyDrawn = (container) => {
    void container.getBoundingClientRect();
    for (const c of container.querySelectorAll('canvas')) c.getContext('2d').getImageData(0, 0, 1, 1);
  };
}

/** One cold draw of ours; resolves to its milliseconds. */
function drawOurs({ width, height }) {
  const { tsMs, values, el } = window.benchData;
  // Our data in the UI's own shape (a query answer), as uPlot gets its arrays ready-made: not timed.
  window.wasmBindings.bench_prepare(tsMs, values);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const finish = () => {
      const canvas = el.querySelector('canvas');
      if (canvas?.dataset.draws !== '1') return false;
      window.fullyDrawn(el);
      resolve({ ms: performance.now() - started, drawnPoints: Number(canvas.dataset.drawnPoints), points: Number(canvas.dataset.points) });
      return true;
    };
    // data-draws is set by the draw, in a microtask after the mount: an attribute observer sees it at once.
    const observer = new MutationObserver(() => finish() && observer.disconnect());
    observer.observe(el, { subtree: true, attributes: true, attributeFilter: ['data-draws'] });
    window.wasmBindings.bench_mount(el, width, height);
    if (finish()) observer.disconnect();
    setTimeout(() => reject(new Error('our chart did not draw within 10 s')), 10_000);
  });
}

/** RESTYLES redraws of our data in other palettes; their milliseconds, and the draws counted. */
async function restyleOurs(restyles) {
  const { el } = window.benchData;
  const canvas = el.querySelector('canvas');
  const palettes = ['cool', 'warm', 'purple', 'orange', 'gray', 'classic'];
  const drawn = (want) =>
    new Promise((resolve) => {
      if (canvas.dataset.draws === want) return resolve();
      const observer = new MutationObserver(() => {
        if (canvas.dataset.draws === want) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe(canvas, { attributes: true, attributeFilter: ['data-draws'] });
    });
  const ms = [];
  for (let i = 0; i < restyles; i += 1) {
    const want = String(Number(canvas.dataset.draws) + 1);
    const started = performance.now();
    window.wasmBindings.bench_restyle(palettes[i % palettes.length]);
    await drawn(want);
    window.fullyDrawn(el);
    ms.push(performance.now() - started);
  }
  return { ms, draws: Number(canvas.dataset.draws), frameDraws: Number(canvas.dataset.frameDraws) };
}

/** How many times our data and our frame have been drawn. */
function ourCounts() {
  const canvas = document.querySelector('#bench canvas');
  return { draws: Number(canvas.dataset.draws), frameDraws: Number(canvas.dataset.frameDraws) };
}

/** One cold draw of uPlot; resolves to its milliseconds. */
function drawUplot({ width, height }) {
  const { tsMs, values, el } = window.benchData;
  // uPlot's time scale is in seconds.
  const tsSecs = tsMs.map((t) => t / 1000);
  return new Promise((resolve) => {
    let started;
    const opts = {
      width,
      height,
      scales: { x: { time: true } },
      series: [{}, { label: 'bench', stroke: 'rgb(63, 127, 224)', width: 2 }],
      hooks: {
        draw: [
          () => {
            window.fullyDrawn(el);
            resolve({ ms: performance.now() - started });
          },
        ],
      },
    };
    started = performance.now();
    // eslint-disable-next-line no-new
    new window.uPlot(opts, [tsSecs, values], el);
  });
}

/** The plotting area in page coordinates. */
async function plotArea(page, which) {
  return page.evaluate((which) => {
    if (which === 'ours') {
      const canvas = document.querySelector('#bench canvas');
      const box = canvas.getBoundingClientRect();
      const [left, top, right, bottom] = canvas.dataset.plotArea.split(',').map(Number);
      const dpr = window.devicePixelRatio;
      return { left: box.x + left / dpr, right: box.x + right / dpr, top: box.y + top / dpr, bottom: box.y + bottom / dpr };
    }
    const r = document.querySelector('#bench .u-over').getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  }, which);
}

/** 10 s of pointer movement back and forth across the plot; the script time it cost. */
async function hover(context, page, which) {
  const area = await plotArea(page, which);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const scriptSecs = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration').value;
  const y = (area.top + area.bottom) / 2;
  await page.mouse.move(area.left + 1, y);
  const before = await scriptSecs();
  const until = Date.now() + HOVER_MS;
  let x = area.left + 1;
  let dx = 2;
  let moves = 0;
  while (Date.now() < until) {
    x += dx;
    if (x >= area.right - 1 || x <= area.left + 1) dx = -dx;
    await page.mouse.move(x, y);
    moves += 1;
  }
  const scriptMs = ((await scriptSecs()) - before) * 1000;
  await cdp.detach();
  return { scriptMs, moves };
}

async function oneRun(browser, base, which, { hoverToo }) {
  // uPlot is injected as an inline script, which the page's Content-Security-Policy would refuse.
  const { context, page, pageErrors } = await openPage(browser, { width: 1400, height: 900, bypassCSP: true });
  try {
    await page.goto(`${base}/bench-render`);
    await page.waitForFunction(() => window.wasmBindings?.bench_draw);
    if (which === 'uplot') {
      await page.addScriptTag({ path: UPLOT_JS });
      await page.addStyleTag({ path: UPLOT_CSS });
    }
    const size = { points: POINTS, width: WIDTH, height: HEIGHT };
    await page.evaluate(setUp, size);
    const drawn = await page.evaluate(which === 'ours' ? drawOurs : drawUplot, size);
    const restyled = which === 'ours' ? await page.evaluate(restyleOurs, RESTYLES) : null;
    const hovered = hoverToo ? await hover(context, page, which) : null;
    const counts = which === 'ours' ? await page.evaluate(ourCounts) : null;
    if (pageErrors.length) throw new Error(`${which}: page errors: ${pageErrors.join('; ')}`);
    return { ...drawn, restyled, hovered, counts };
  } finally {
    await context.close();
  }
}

const runs = parseRuns(process.argv.slice(2));
const server = await startServer();
const browser = await launchBrowser();
try {
  const result = {
    points: POINTS, width: WIDTH, height: HEIGHT, runs, ours_ms: [], uplot_ms: [],
    ours_hover_script_ms: [], ours_hover_moves: [], uplot_hover_script_ms: [], uplot_hover_moves: [],
    restyles: RESTYLES, ours_restyle_ms: [], ours_data_draws: [], ours_frame_draws: [], ours_frame_draws_after_restyles: [],
  };
  // Warm the browser's caches of the UI's files once, so that no run pays for the first fetch.
  await oneRun(browser, server.base, 'ours', { hoverToo: false });
  for (let i = 0; i < runs; i += 1) {
    // Alternate which goes first, so that neither always gets the fresher browser.
    const order = i % 2 === 0 ? ['ours', 'uplot'] : ['uplot', 'ours'];
    for (const which of order) {
      const hoverToo = i >= runs - HOVER_RUNS;
      const r = await oneRun(browser, server.base, which, { hoverToo });
      result[`${which}_ms`].push(r.ms);
      if (r.drawnPoints !== undefined) {
        result.ours_points = r.points;
        result.ours_drawn_points = r.drawnPoints;
      }
      if (r.restyled) {
        result.ours_restyle_ms.push(...r.restyled.ms);
        result.ours_frame_draws_after_restyles.push(r.restyled.frameDraws);
        result.ours_data_draws.push(r.counts.draws);
        result.ours_frame_draws.push(r.counts.frameDraws);
      }
      if (r.hovered) {
        result[`${which}_hover_script_ms`].push(r.hovered.scriptMs);
        result[`${which}_hover_moves`].push(r.hovered.moves);
      }
      const frames = r.counts ? `, ${r.counts.draws} data draws, ${r.counts.frameDraws} frame draws` : '';
      process.stderr.write(`run ${i + 1}/${runs} ${which}: ${r.ms.toFixed(1)} ms${frames}${r.hovered ? `, hover ${r.hovered.scriptMs.toFixed(0)} ms script over ${r.hovered.moves} moves` : ''}\n`);
    }
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  await server.stop();
}
