// Shared set-up for the browser tests: a real `dogwatch serve` on a free loopback port with a fresh
// data directory, and a headless Chromium driven by playwright-core.

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository root (this file is tests/e2e/harness.mjs). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the tests save what the pages looked like. */
export const screenshotDir = path.join(repoRoot, 'target', 'e2e-screenshots');

const LISTEN_TIMEOUT_MS = 20_000;

/** The password of the `admin` user every test server is started with. */
export const ADMIN_PASSWORD = 'e2e-admin-password';

/** The servers running, newest last: pages sign in to the newest unless told otherwise. */
const running = [];
const MAX_KEPT_OUTPUT = 64 * 1024;

/** A TCP port that was free a moment ago. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `dogwatch serve` (with `extraArgs` appended) and resolves once it prints that it is listening.
 * Returns { base, apiKey, appKey, port, stop, output }; stop() kills it and removes its data.
 */
export async function startServer({ demo = false, extraArgs = [] } = {}) {
  const port = await freePort();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dogwatch-e2e-'));
  const bin = process.env.DOGWATCH_BIN || path.join(repoRoot, 'target', 'debug', 'dogwatch');
  const uiDir = process.env.DOGWATCH_UI_DIR || path.join(repoRoot, 'dist');
  const apiKey = 'e2e-api-key';
  const appKey = 'e2e-app-key';
  const args = [
    'serve',
    '--addr', `127.0.0.1:${port}`,
    '--data', dataDir,
    '--ui-dir', uiDir,
    '--statsd-addr', '127.0.0.1:0',
    '--apm-addr', '127.0.0.1:0',
    '--otlp-addr', '127.0.0.1:0',
    '--api-key', apiKey,
    '--app-key', appKey,
    '--admin-password', ADMIN_PASSWORD,
  ];
  if (demo) args.push('--demo');
  args.push(...extraArgs);

  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Keep reading both pipes for the server's whole life: a full pipe would block it.
  const keep = (chunk) => {
    output = (output + chunk).slice(-MAX_KEPT_OUTPUT);
  };
  const exited = new Promise((resolve) => child.once('exit', resolve));

  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`dogwatch did not say it was listening within ${LISTEN_TIMEOUT_MS / 1000} s:\n${output}`)),
        LISTEN_TIMEOUT_MS,
      );
      child.stdout.on('data', (chunk) => {
        keep(chunk);
        if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.on('data', keep);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${e.message} (build it with cargo build -p dogwatch-server)`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`dogwatch exited (${code ?? signal}) before listening:\n${output}`));
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    await fs.rm(dataDir, { recursive: true, force: true });
    throw e;
  }

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    running.splice(running.indexOf(server), 1);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(resolve, 5_000, 'timeout'));
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await fs.rm(dataDir, { recursive: true, force: true });
  }

  const server = { base: `http://127.0.0.1:${port}`, port, apiKey, appKey, stop, output: () => output };
  // The trace ports it chose (`--apm-addr`/`--otlp-addr` 127.0.0.1:0), from its startup line.
  const ports = /traces on http:\/\/([^\s,()]+), OTLP on http:\/\/([^\s,()]+)/.exec(output);
  if (ports) {
    server.apmBase = `http://${ports[1]}`;
    server.otlpBase = `http://${ports[2]}`;
  }
  try {
    server.session = await login(server, 'admin', ADMIN_PASSWORD);
  } catch (e) {
    await stop();
    throw e;
  }
  running.push(server);
  return server;
}

/** Signs in through the API as a browser's login form does: the session token of its cookie. */
export async function login(server, handle, password) {
  const response = await fetch(`${server.base}/api/v1/dogwatch/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle, password }),
  });
  const cookie = response.headers.get('set-cookie') ?? '';
  const token = /dogwatch_session=([^;]+)/.exec(cookie)?.[1];
  if (response.status !== 200 || !token) {
    throw new Error(`login as ${handle} answered ${response.status}: ${await response.text()}`);
  }
  return token;
}

/** Headless Chromium from the system (no `playwright install`). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A page in a fresh context (optionally in another time zone) that records uncaught page errors and
 * anything the server's Content-Security-Policy refused (Chromium reports those as console errors).
 * Other console warnings are not errors. Signed in to `server` (the newest running one) with
 * `session` (the admin's), unless `session` is null.
 */
export async function openPage(browser, { width = 1280, height = 800, timezoneId, deviceScaleFactor = 1, bypassCSP = false, server = running.at(-1), session } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId, deviceScaleFactor, bypassCSP });
  const token = session === undefined ? server?.session : session;
  if (server && token) {
    await context.addCookies([{ name: 'dogwatch_session', value: token, url: server.base }]);
  }
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) pageErrors.push(m.text());
  });
  return { context, page, pageErrors };
}

/** Sends series through the Datadog-compatible intake; throws unless it answers 202. */
export async function postSeries(server, series) {
  const response = await fetch(`${server.base}/api/v1/series?api_key=${encodeURIComponent(server.apiKey)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ series }),
  });
  if (response.status !== 202) {
    throw new Error(`POST /api/v1/series answered ${response.status}: ${await response.text()}`);
  }
}

/**
 * A JSON request to `server`'s API as a script makes it (with the keys): `{ status, body }`, the body
 * parsed (null when empty).
 */
export async function apiCall(server, method, url, body) {
  const response = await fetch(`${server.base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', 'dd-api-key': server.apiKey, 'dd-application-key': server.appKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Saves a full-page screenshot under target/e2e-screenshots/. */
export async function screenshot(page, name) {
  await fs.mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
