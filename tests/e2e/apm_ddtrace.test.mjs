// The APM acceptance in a real Chromium, with the real tracer: two Flask services under `ddtrace-run`
// (tests/compat/apm_shop.py from the test venv: shop-web calls price-api over HTTP and queries sqlite3;
// its /fail raises) send to dogwatch's trace agent port. After N requests the services page lists both
// with N requests and shop-web's error rate; shop-web's page shows /fail failing every time; a
// checkout's trace lists both services; the trace metrics graph in the Metrics Explorer; ddtrace
// logs no error.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePort, launchBrowser, openPage, repoRoot, screenshot, startServer } from './harness.mjs';

const APP = path.join(repoRoot, 'tests', 'compat', 'apm_shop.py');
const CHECKOUTS = 6;
const FAILS = 2;
const N = CHECKOUTS + FAILS;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Whether something accepts connections on the port (no request is made, so none is traced). */
function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what, check, seconds = 30) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > until) throw new Error(`${what} within ${seconds} s`);
    await sleep(250);
  }
}

describe('APM with ddtrace-run', () => {
  let server;
  let browser;
  const apps = [];
  let log = '';
  let checkout;
  let db;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const python = process.env.DOGWATCH_PYTHON || path.join(repoRoot, 'target', 'venv', 'bin', 'python');
    const ddtraceRun = path.join(path.dirname(python), 'ddtrace-run');
    db = path.join(repoRoot, 'target', `apm-e2e-${process.pid}.db`);
    const [web, prices] = [await freePort(), await freePort()];
    for (const [service, args] of [['price-api', ['prices', String(prices)]], ['shop-web', ['web', String(web), String(prices)]]]) {
      const child = spawn(ddtraceRun, [python, APP, ...args, db], {
        env: {
          ...process.env,
          DD_TRACE_AGENT_URL: server.apmBase,
          DD_SERVICE: service,
          DD_ENV: 'e2e',
          DD_TRACE_STARTUP_LOGS: 'false',
          DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d) => { log += d; });
      child.stderr.on('data', (d) => { log += d; });
      apps.push(child);
    }
    await waitFor('both apps listening', async () => (await listening(web)) && (await listening(prices)));
    const base = `http://127.0.0.1:${web}`;
    for (let i = 0; i < CHECKOUTS; i += 1) {
      const r = await fetch(`${base}/checkout`);
      assert.equal(r.status, 200, log);
      checkout = await r.text();
    }
    for (let i = 0; i < FAILS; i += 1) {
      assert.equal((await fetch(`${base}/fail`)).status, 500);
    }
  });

  after(async () => {
    for (const child of apps) child.kill('SIGTERM');
    await Promise.all(apps.map((c) => new Promise((resolve) => {
      if (c.exitCode !== null) resolve(); else c.once('exit', resolve);
    })));
    await browser?.close();
    await server?.stop();
    if (db) await fs.rm(db, { force: true });
  });

  test('the services page lists both services with N requests, then a trace crosses them', async () => {
    const { page, pageErrors } = await openPage(browser);
    const rowOf = (service) => page.locator('table.services-table tbody tr', { has: page.locator(`a.service-link:text-is("${service}")`) });
    // ddtrace flushes every second: reload until both services have every request.
    await waitFor('both services with N requests', async () => {
      await page.goto(`${server.base}/apm/services`);
      await page.locator('table.services-table, .state.empty').first().waitFor();
      const counts = [];
      for (const service of ['shop-web', 'price-api']) {
        const row = rowOf(service);
        counts.push((await row.count()) ? (await row.locator('td').nth(2).textContent()).trim() : '');
      }
      return counts.every((c) => c === String(N));
    }, 40);
    const web = rowOf('shop-web');
    assert.match(await web.locator('td').nth(4).textContent(), /25(\.0)?\s*%/, 'shop-web fails 2 of 8');
    assert.match(await rowOf('price-api').locator('td').nth(4).textContent(), /^\s*0(\.0)?\s*%/);
    await screenshot(page, 'apm-ddtrace-services');

    await web.locator('a.service-link').click();
    await page.waitForURL(/\/apm\/services\/shop-web/);
    const fail = page.locator('tr', { has: page.locator('text="GET /fail"') }).first();
    await fail.waitFor();
    assert.match(await fail.textContent(), /100(\.0)?\s*%/, 'GET /fail fails every time');
    await screenshot(page, 'apm-ddtrace-service');

    await page.goto(`${server.base}/apm/trace/${checkout}`);
    const byService = page.locator('table.by-service');
    await byService.waitFor();
    const text = await byService.textContent();
    for (const service of ['shop-web', 'price-api']) assert.ok(text.includes(service), text);
    await screenshot(page, 'apm-ddtrace-trace');

    // The trace metrics in the Metrics Explorer, like any metric.
    const q = 'sum:trace.flask.request.hits{*} by {service}.as_count()';
    await page.goto(`${server.base}/metric/explorer?q=${encodeURIComponent(q)}&span=15m`);
    await waitFor('one line per Flask service', async () => {
      const labels = (await page.locator('.legend .legend-label').allTextContents()).sort();
      return labels.join() === 'service:price-api,service:shop-web';
    }, 20);
    await screenshot(page, 'apm-ddtrace-explorer');
    assert.deepEqual(pageErrors, []);
    await page.context().close();

    assert.ok(!log.includes('failed to send'), log);
    assert.deepEqual(log.split('\n').filter((l) => l.includes('ERROR') && l.includes('ddtrace')), [], log);
  });
});
