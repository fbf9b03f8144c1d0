// Signing in: every page asks whoever is not signed in to sign in; a wrong password says so; a
// read-only user sees no way to change anything; a session that ends elsewhere brings the form back.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  ADMIN_PASSWORD, apiCall, launchBrowser, login, openPage, repoRoot, screenshot, startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const api = (method, url, body) => apiCall(server, method, url, body);

/** A user with a password and a role, made by the admin through the API. */
async function user(handle, role, password) {
  const made = await api('POST', '/api/v1/dogwatch/users', { handle, email: `${handle}@example.com`, role });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const set = await api('POST', `/api/v1/dogwatch/users/${handle}/password`, { password });
  assert.equal(set.status, 204, JSON.stringify(set.body));
}

const ADDRESSES = [
  '/', '/metric/explorer?metric=my_metric', '/dashboard/lists', '/dashboard/abc', '/monitors/manage',
  '/monitors/create', '/monitors/1', '/event/explorer', '/settings', '/inbox', '/inbox/admin', '/nope',
];

test('every page shows the login form to a visitor; a wrong password says so; signing in and out', async () => {
  const { context, page, pageErrors } = await openPage(browser, { session: null });
  for (const address of ADDRESSES) {
    await page.goto(`${server.base}${address}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('nav').count(), 0, `${address} shows no app to a visitor`);
  }
  await page.goto(`${server.base}/dashboard/lists`);
  await page.getByLabel('Handle').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText('wrong handle or password').waitFor();
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the wrong password is cleared');
  await screenshot(page, 'login-wrong-password');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The page asked for opens, with who is signed in.
  await page.getByRole('heading', { name: 'Dashboards' }).waitFor();
  await page.locator('.nav-user').getByText('@admin').waitFor();
  await page.getByRole('button', { name: 'New Dashboard' }).waitFor();
  await screenshot(page, 'signed-in-admin');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a read-only user sees everything but no way to change it', async () => {
  await user('viewer', 'read_only', 'viewers long password');
  const made = await api('POST', '/api/v1/dashboard', { title: 'Shared board', layout_type: 'ordered', widgets: [] });
  assert.equal(made.status, 200);
  const token = await login(server, 'viewer', 'viewers long password');
  const { context, page, pageErrors } = await openPage(browser, { session: token });
  await page.goto(`${server.base}/dashboard/lists`);
  await page.locator('.dash-row', { hasText: 'Shared board' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'New Dashboard' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Clone' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
  const navLinks = await page.locator('nav .nav-links a').allTextContents();
  assert.ok(!navLinks.includes('Settings'), `no Settings for a read-only user: ${navLinks}`);
  await page.locator('.nav-user').getByText('read only').waitFor();
  await screenshot(page, 'signed-in-read-only');
  await page.goto(`${server.base}/monitors/manage`);
  await page.getByRole('heading', { name: 'Monitors' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'New Monitor' }).count(), 0);
  // Reached by its address, the monitor form says why it is not there.
  await page.goto(`${server.base}/monitors/create`);
  await page.getByRole('alert').getByText('Your role is read only').waitFor();
  assert.equal(await page.getByRole('button', { name: /Save|Create/ }).count(), 0);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a session that ends elsewhere brings the login form back, saying why', async () => {
  await user('walker', 'standard', 'walkers long password');
  const token = await login(server, 'walker', 'walkers long password');
  const { context, page, pageErrors } = await openPage(browser, { session: token });
  await page.goto(`${server.base}/dashboard/lists`);
  await page.getByRole('heading', { name: 'Dashboards' }).waitFor();
  // An admin sets a new password: every session of walker's ends.
  const set = await api('POST', '/api/v1/dogwatch/users/walker/password', { password: 'walkers new password' });
  assert.equal(set.status, 204);
  await page.locator('nav .nav-links').getByRole('link', { name: 'Monitors' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByText('Your session has ended').waitFor();
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a read-only user and an anonymous viewer see a board without a way to change it', async () => {
  const board = {
    title: 'Wall board', layout_type: 'free',
    widgets: [{ definition: { type: 'note', content: 'Hello wall' }, layout: { x: 0, y: 0, width: 4, height: 2 } }],
  };
  const made = await api('POST', '/api/v1/dashboard', board);
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const check = async (page) => {
    await page.goto(`${server.base}/dashboard/${made.body.id}`);
    await page.locator('.widget', { hasText: 'Hello wall' }).waitFor();
    assert.equal(await page.locator('.tray').count(), 0, 'no tray');
    assert.equal(await page.getByRole('button', { name: /^Edit / }).count(), 0, 'no Edit');
    assert.equal(await page.getByRole('button', { name: /^Remove / }).count(), 0, 'no Remove');
    assert.equal(await page.locator('.resize-handle').count(), 0, 'no resize handle');
    assert.equal(await page.getByLabel('Dashboard title').getAttribute('readonly'), '');
  };
  await user('reader', 'read_only', 'readers long password');
  const reader = await openPage(browser, { session: await login(server, 'reader', 'readers long password') });
  await check(reader.page);
  await screenshot(reader.page, 'board-read-only');
  assert.deepEqual(reader.pageErrors, []);
  await reader.context.close();

  // The same board on a wall screen: a server started with --anonymous-viewer, nobody signed in.
  const wall = await startServer({ extraArgs: ['--anonymous-viewer'] });
  try {
    const copy = await apiCall(wall, 'POST', '/api/v1/dashboard', board);
    assert.equal(copy.status, 200);
    const visitor = await openPage(browser, { server: wall, session: null });
    await visitor.page.goto(`${wall.base}/dashboard/${copy.body.id}`);
    await visitor.page.locator('.widget', { hasText: 'Hello wall' }).waitFor();
    assert.equal(await visitor.page.locator('.tray').count(), 0);
    await visitor.page.locator('.nav-user').getByText('Anonymous viewer').waitFor();
    // Changing anything needs a sign-in, which the visitor can still do.
    const refused = await visitor.page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/dashboard/${id}`, { method: 'DELETE' });
      return r.status;
    }, copy.body.id);
    assert.equal(refused, 403);
    await visitor.page.getByRole('button', { name: 'Sign in' }).click();
    await visitor.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(visitor.pageErrors, []);
    await visitor.context.close();
  } finally {
    await wall.stop();
  }
});

test('keys made on the Keys page work with the real datadog package, and a revoked one is refused', async () => {
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(`${server.base}/keys`);
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  await page.getByLabel('New API key name').fill('python client');
  await page.getByRole('button', { name: 'New API key' }).click();
  const apiKey = await page.locator('[data-kind="api_keys"] .new-key input').inputValue();
  assert.match(apiKey, /^[0-9a-f]{32}$/);
  await page.locator('[data-kind="api_keys"] .key-row', { hasText: 'python client' }).getByText(`••••${apiKey.slice(-4)}`).waitFor();
  await page.getByLabel('New application key name').fill('python reads');
  await page.getByRole('button', { name: 'New application key' }).click();
  const appKey = await page.locator('[data-kind="application_keys"] .new-key input').inputValue();
  assert.match(appKey, /^[0-9a-f]{40}$/);
  await screenshot(page, 'keys');
  // Shown once: after a reload only the last four characters are left.
  await page.reload();
  await page.locator('[data-kind="api_keys"] .key-row').first().waitFor();
  assert.equal(await page.locator('.new-key').count(), 0);
  assert.ok(!(await page.content()).includes(apiKey), 'the whole key is gone from the page');

  // The real datadog package, with the two keys from the page.
  const script = `
import sys, time
from datadog import initialize, api
initialize(api_key=sys.argv[1], app_key=sys.argv[2], api_host=sys.argv[3])
now = int(time.time())
sent = api.Metric.send(metric="page_key.metric", points=[(now, 42)], host="ubuntu")
assert sent.get("status") == "ok", sent
got = api.Metric.query(start=now - 60, end=now + 60, query="avg:page_key.metric{host:ubuntu}")
assert got["series"][0]["pointlist"][-1][1] == 42.0, got
print("ok")
`;
  const python = process.env.DOGWATCH_PYTHON || path.join(repoRoot, 'target', 'venv', 'bin', 'python');
  const ran = spawnSync(python, ['-c', script, apiKey, appKey, server.base], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(ran.status, 0, `python: ${ran.stdout}\n${ran.stderr}`);
  assert.equal(ran.stdout.trim(), 'ok');

  // Revoked on the page: refused from the next request on.
  const row = page.locator('[data-kind="api_keys"] .key-row', { hasText: 'python client' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Revoke key' }).click();
  await row.waitFor({ state: 'detached' });
  const refused = await fetch(`${server.base}/api/v1/validate`, { headers: { 'dd-api-key': apiKey } });
  assert.equal(refused.status, 403);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('changing your password on your account page ends your other sessions', async () => {
  await user('pat', 'standard', 'pats long password');
  const here = await openPage(browser, { session: await login(server, 'pat', 'pats long password') });
  const elsewhere = await openPage(browser, { session: await login(server, 'pat', 'pats long password') });
  await elsewhere.page.goto(`${server.base}/dashboard/lists`);
  await elsewhere.page.getByRole('heading', { name: 'Dashboards' }).waitFor();
  const page = here.page;
  await page.goto(`${server.base}/dashboard/lists`);
  await page.locator('.nav-user').getByRole('link', { name: '@pat' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill('pats newer password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('alert').getByText('current_password is not your current password').waitFor();
  await page.getByLabel('Current password').fill('pats long password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('status').getByText('Password changed').waitFor();
  await screenshot(page, 'account-password-changed');
  // This page is still signed in; the other one is not.
  await page.locator('nav .nav-links').getByRole('link', { name: 'Monitors' }).click();
  await page.getByRole('heading', { name: 'Monitors' }).waitFor();
  await elsewhere.page.locator('nav .nav-links').getByRole('link', { name: 'Monitors' }).click();
  await elsewhere.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.deepEqual(here.pageErrors, []);
  await here.context.close();
  await elsewhere.context.close();
});
