// The trace benchmark's browser half (run by `cargo xtask bench traces`, which builds the server
// with the `server` profile and the UI first, and passes the binary in DOGWATCH_BIN): how long the
// APM pages take to open in headless Chromium over a real `dogwatch serve`.
//
// Data, as OTLP/JSON: 2,000 orders over the past ten minutes (shop-web's GET /orders calling
// shop-api's GET /stock and its sqlite query: 8,000 spans), and one trace of 20,000 spans.
// Timed, 5 cold runs each (a fresh page, from navigation until the page's data is on screen):
// the services list and shop-web's page (their tables filled), the 20,000-span trace (its waterfall
// drawn); then 30 scrolls of that waterfall, each until the next animation frame.
//
// Prints one line per figure on stdout.

import { launchBrowser, openPage, startServer } from '../e2e/harness.mjs';
import { orderTrace, sendBigTrace, sendSpans } from '../e2e/otlp.mjs';

const RUNS = 5;
const ORDERS = 2_000;
const PER_REQUEST = 100;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeOpen(browser, url, ready) {
  const times = [];
  for (let i = 0; i < RUNS; i += 1) {
    const { context, page } = await openPage(browser);
    const started = Date.now();
    await page.goto(url);
    await page.waitForFunction(ready, null, { timeout: 60_000 });
    times.push(Date.now() - started);
    await context.close();
  }
  return times;
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const now = Date.now();
  for (let i = 0; i < ORDERS; i += PER_REQUEST) {
    const batch = { 'shop-web': [], 'shop-api': [] };
    for (let j = i; j < i + PER_REQUEST; j += 1) {
      const t = orderTrace(now - 600_000 + j * 290, { error: j % 50 === 0, durationMs: 20 + (j % 40) });
      batch['shop-web'].push(...t.web);
      batch['shop-api'].push(...t.api);
    }
    await sendSpans(server, batch);
  }
  const big = await sendBigTrace(server, now - 60_000);
  const bigId = BigInt(`0x${big.slice(16)}`).toString();
  process.stderr.write(`sent ${ORDERS} orders (${ORDERS * 4} spans) and a 20,000-span trace\n`);

  const report = (what, times) => console.log(`${what}: median ${median(times)} ms of ${RUNS} cold opens (${times.join(', ')} ms)`);
  report('services list', await timeOpen(browser, `${server.base}/apm/services?span=15m&live=true`,
    () => document.querySelectorAll('.services-table tbody tr').length >= 2));
  report("shop-web's service page", await timeOpen(browser, `${server.base}/apm/services/shop-web?span=15m&live=true`,
    () => document.querySelectorAll('.resources-table tbody tr').length >= 1));
  report('20,000-span trace, waterfall drawn', await timeOpen(browser, `${server.base}/apm/trace/${bigId}`,
    () => document.querySelector('canvas.waterfall-canvas')?.dataset.drawn));

  const { context, page } = await openPage(browser);
  await page.goto(`${server.base}/apm/trace/${bigId}`);
  await page.waitForFunction(() => document.querySelector('canvas.waterfall-canvas')?.dataset.drawn, null, { timeout: 60_000 });
  const frames = await page.evaluate(async () => {
    const box = document.querySelector('.waterfall');
    const canvas = document.querySelector('canvas.waterfall-canvas');
    const out = [];
    for (let i = 1; i <= 30; i += 1) {
      const t0 = performance.now();
      box.scrollTop = i * 7_000;
      await new Promise((r) => { requestAnimationFrame(r); });
      out.push({ frame: performance.now() - t0, draw: Number(canvas.dataset.drawMs) });
    }
    return out;
  });
  const f = frames.map((x) => x.frame);
  const d = frames.map((x) => x.draw);
  console.log(`20,000-span waterfall scroll: frame median ${median(f).toFixed(1)} ms, max ${Math.max(...f).toFixed(1)} ms (a frame is 16.7 ms at 60 Hz); its draw median ${median(d).toFixed(2)} ms, max ${Math.max(...d).toFixed(2)} ms`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
