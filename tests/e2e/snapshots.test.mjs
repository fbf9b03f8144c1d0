// Snapshots in a real Chromium against a real `dogwatch serve` that mails through a real aiosmtpd:
// the seed path (explorer on my_metric, Past 5 Minutes, Send snapshot "@carol look at this" → carol's
// inbox and a mail with the graph inline as a PNG), the frozen page after the metric has new points,
// a comment whose markup stays text, the event stream's pictures, a board widget's snapshot with its
// template variable applied, a public link for a visitor, a private one asking to sign in, Escape
// and Delete from a monitor's page, and a wall screen's anonymous viewer, who may read but not write.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ADMIN_PASSWORD, apiCall, freePort, launchBrowser, openPage, postSeries, repoRoot, screenshot, startServer,
} from './harness.mjs';

/** The classic palette's first colour: the first series' line in the UI and in the server's PNG. */
const FIRST_LINE = [63, 127, 224];

/** aiosmtpd writing each accepted message to `<dir>/<uuid>.json`, shared with the server's tests. */
const SMTP_SINK = path.join(repoRoot, 'tests', 'support', 'smtp_sink.py');

/** Starts aiosmtpd on `port` (Python from the test venv); resolves once it accepts mail. */
async function startSmtp(dir, port) {
  const python = process.env.DOGWATCH_PYTHON || path.join(repoRoot, 'target', 'venv', 'bin', 'python');
  const child = spawn(python, [SMTP_SINK, dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => { errors = (errors + chunk).slice(-8192); });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`aiosmtpd did not start: ${errors}`)), 15_000);
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${python} (run cargo xtask setup): ${e.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aiosmtpd exited (${code}): ${errors}`));
    });
  });
  return { stop: () => child.kill('SIGKILL') };
}

/** The mails received in `dir`, in the order they arrived. */
async function mails(dir) {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json'));
  const all = await Promise.all(names.map(async (n) => JSON.parse(await fs.readFile(path.join(dir, n), 'utf8'))));
  return all.sort((a, b) => a.at - b.at);
}

/** Polls `check` until it returns something truthy; throws with `what` after `timeoutMs`. */
async function eventually(what, check, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The headers and the base64 body of a message's `image/png` part (a MIME multipart, read plainly). */
function pngPart(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const start = text.search(/^Content-Type:\s*image\/png/im);
  assert.ok(start >= 0, `no image/png part in the mail:\n${text.slice(0, 2000)}`);
  // The part's headers run from its boundary line to the first empty line.
  const partStart = text.lastIndexOf('\n--', start) + 1;
  const headEnd = text.indexOf('\n\n', start);
  const headers = text.slice(text.indexOf('\n', partStart) + 1, headEnd);
  const bodyEnd = text.indexOf('\n--', headEnd);
  const base64 = text.slice(headEnd + 2, bodyEnd).replace(/\s+/g, '');
  return { headers, base64 };
}

/** Points every 20 s over the past 4 minutes, around `level`. */
function recentPoints(level, swing) {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: 12 }, (_, i) => [now - 230 + i * 20, level + swing * Math.sin(i / 2)]);
}

/** Waits until the page's (first) graph has been drawn with `n` series. */
async function waitForSeries(page, n, scope = '') {
  await page.waitForFunction(([n, scope]) => document.querySelector(`${scope} canvas.chart-canvas`)?.dataset.series === String(n), [n, scope]);
}

/**
 * Decodes a PNG in the browser (base64 → Image → canvas → getImageData) on a blank page, which has
 * no Content-Security-Policy: its size and how many pixels are within `tolerance` of `rgb`.
 */
async function pixelsOf(browser, base64, rgb, tolerance = 40) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    return await page.evaluate(async ([base64, [r, g, b], tolerance]) => {
      const img = new Image();
      img.src = `data:image/png;base64,${base64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let close = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) <= tolerance && data[i + 3] > 200) {
          close += 1;
        }
      }
      return { width: img.naturalWidth, height: img.naturalHeight, close };
    }, [base64, rgb, tolerance]);
  } finally {
    await context.close();
  }
}

describe('snapshots', () => {
  let server;
  let browser;
  let smtp;
  let mailDir;
  /** The snapshot sent on the seed path: { id, title }. */
  let seed;
  const api = (method, url, body) => apiCall(server, method, url, body);

  /** The bytes of a snapshot's picture, fetched with the keys. */
  async function picture(id) {
    const response = await fetch(`${server.base}/api/v1/dogwatch/snapshot/view/${id}.png`, {
      headers: { 'dd-api-key': server.apiKey, 'dd-application-key': server.appKey },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    return Buffer.from(await response.arrayBuffer());
  }

  before(async () => {
    mailDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dogwatch-e2e-mail-'));
    const smtpPort = await freePort();
    smtp = await startSmtp(mailDir, smtpPort);
    server = await startServer({
      extraArgs: ['--smtp-url', `smtp://127.0.0.1:${smtpPort}`, '--smtp-from', 'dogwatch@example.com'],
    });
    browser = await launchBrowser();
    const carol = await api('POST', '/api/v1/dogwatch/users', { handle: 'carol', name: 'Carol', email: 'carol@example.com' });
    assert.equal(carol.status, 200, JSON.stringify(carol.body));
    await postSeries(server, [
      { metric: 'my_metric', type: 'gauge', host: 'ubuntu', tags: ['env:test'], points: recentPoints(700, 150) },
    ]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    smtp?.stop();
    if (mailDir) await fs.rm(mailDir, { recursive: true, force: true });
  });

  test('the seed path: a snapshot of the explorer @mentions carol, who gets it in her inbox and by mail with the picture', async () => {
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/metric/explorer?metric=my_metric`);
    await page.selectOption('#timeframe', { label: 'Past 5 Minutes' });
    await page.waitForURL(/span=5m/);
    await waitForSeries(page, 1);
    const shownPoints = Number(await page.locator('canvas.chart-canvas').getAttribute('data-points'));

    await page.getByRole('button', { name: 'Send snapshot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send snapshot' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Title').inputValue(), 'avg:my_metric{*}');
    assert.match(await dialog.getByTestId('snapshot-window').innerText(), /– .*\(5 minutes\)$/);
    assert.equal(await dialog.getByLabel('Public link').isChecked(), false);
    assert.equal(await dialog.getByLabel('Expires').inputValue(), 'never');
    assert.deepEqual(await dialog.getByLabel('Expires').locator('option').allTextContents(), ['Never', '1 hour', '1 day', '7 days', '30 days']);
    await dialog.getByText('Anyone with the link will see the graph and its title, not the message or the comments.').waitFor();

    // The message starts with the focus in it; @ suggests whom to mention.
    const message = dialog.getByLabel('Message');
    assert.equal(await message.evaluate((el) => el === document.activeElement), true);
    await message.pressSequentially('@car');
    await dialog.locator('.suggestions [role=option]', { hasText: /^@carol$/ }).waitFor();
    await message.press('Enter');
    await message.pressSequentially('look at this');
    assert.equal(await message.inputValue(), '@carol look at this');
    await screenshot(page, 'snapshot-dialog');

    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    const link = dialog.locator('.snapshot-sent a');
    await link.waitFor();
    const href = await link.getAttribute('href');
    const id = /^\/snapshot\/([0-9a-f]{32})$/.exec(href)?.[1];
    assert.ok(id, `a link to the snapshot's page, not ${href}`);
    assert.equal(await link.innerText(), `${server.base}/snapshot/${id}`);
    await screenshot(page, 'snapshot-sent');
    seed = { id, title: 'avg:my_metric{*}' };

    // The server froze what was on screen: the query over the window of the explorer's graph.
    const frozen = (await api('GET', `/api/v1/dogwatch/snapshots/${id}`)).body;
    assert.equal(frozen.title, 'avg:my_metric{*}');
    assert.equal(frozen.message, '@carol look at this');
    assert.equal(frozen.definition.type, 'timeseries');
    assert.deepEqual(frozen.definition.requests.map((r) => r.q), ['avg:my_metric{*}']);
    assert.ok(Math.abs(frozen.to_ms - frozen.from_ms - 300_000) < 2_000, `a 5 minute window, not ${frozen.to_ms - frozen.from_ms} ms`);
    assert.equal(frozen.public, false);
    assert.equal(frozen.expires_ms ?? null, null);
    const frozenPoints = frozen.answers[0].series[0].pointlist.length;
    assert.equal(frozenPoints, shownPoints);

    // Carol's inbox has it, with the link.
    const inbox = await eventually('carol\'s inbox', async () => {
      const { body } = await api('GET', '/api/v1/dogwatch/inbox/carol');
      return body.messages.find((m) => m.body.includes(`/snapshot/${id}`));
    });
    assert.equal(inbox.subject, 'avg:my_metric{*}');
    assert.match(inbox.body, /@carol look at this/);

    // A mail to carol's address with the graph inline as a PNG of the graph's line colour.
    const mail = await eventually('a mail to carol@example.com', async () => (await mails(mailDir)).find((m) => m.rcpt_tos.includes('carol@example.com')));
    assert.match(mail.content, /^Content-Type:\s*multipart\/related/im);
    const part = pngPart(mail.content);
    assert.match(part.headers, /Content-Transfer-Encoding:\s*base64/i);
    assert.match(part.headers, /Content-ID:|Content-Disposition:\s*inline/i);
    const decoded = await pixelsOf(browser, part.base64, FIRST_LINE);
    assert.ok(decoded.width >= 300 && decoded.height >= 150, `a graph-sized picture, not ${decoded.width}×${decoded.height}`);
    assert.ok(decoded.close > 50, `the first series' line colour in the mailed picture (${decoded.close} pixels)`);
    const stored = await picture(id);
    assert.ok(stored.equals(Buffer.from(part.base64, 'base64')), 'the mailed picture is the stored one');

    // New points in the frozen window and after it: a query now sees them, the snapshot does not.
    const [fromSecs, toSecs] = [Math.ceil(frozen.from_ms / 1000), Math.floor(frozen.to_ms / 1000)];
    await postSeries(server, [
      { metric: 'my_metric', type: 'gauge', host: 'ubuntu', tags: ['env:test'], points: [[fromSecs + 5, 99_999], [toSecs - 5, 99_999], [toSecs + 5, 99_999]] },
      { metric: 'my_metric', type: 'gauge', host: 'debian', tags: ['env:test'], points: [[fromSecs + 15, 5_000]] },
    ]);
    const live = await api('GET', `/api/v1/query?from=${fromSecs}&to=${toSecs}&query=${encodeURIComponent('max:my_metric{*}')}`);
    assert.ok(live.body.series[0].pointlist.some(([, v]) => v === 99_999), 'the new points are in the window');

    await page.goto(`${server.base}/snapshot/${id}`);
    await page.getByRole('heading', { name: 'avg:my_metric{*}', level: 1 }).waitFor();
    await waitForSeries(page, 1);
    assert.equal(Number(await page.locator('canvas.chart-canvas').getAttribute('data-points')), frozenPoints);
    const again = (await api('GET', `/api/v1/dogwatch/snapshots/${id}`)).body;
    assert.deepEqual(again.answers, frozen.answers);
    assert.ok((await picture(id)).equals(stored), 'the picture has not changed');
    assert.match(await page.locator('.snapshot-meta').innerText(), /^Sent by .+ \(@admin\) on .+ · Never expires$/);
    assert.equal(await page.locator('.snapshot-message').innerText(), '@carol look at this');

    // Hovering shows the frozen values, none of the new ones.
    const area = await page.locator('.chart-area').boundingBox();
    await page.mouse.move(area.x + area.width * 0.6, area.y + area.height / 2);
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor();
    const tip = await tooltip.innerText();
    assert.doesNotMatch(tip, /99\.99K|99999|5K/);
    assert.equal(await page.locator('.legend .legend-label').count(), 1);
    await screenshot(page, 'snapshot-page');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a comment is posted and shown as text, its markup inert; the event stream shows the snapshot\'s picture', async () => {
    assert.ok(seed, 'the seed path ran first');
    const { context, page, pageErrors } = await openPage(browser);
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss();
    });
    await page.goto(`${server.base}/snapshot/${seed.id}`);
    await page.getByText('No comments yet.').waitFor();
    // The mention first: a word being typed at the end would open the mention suggestions.
    const text = '@carol <img src=x onerror=alert(1)> [click](javascript:alert(1)) javascript:alert(1)';
    const box = page.getByLabel('Add a comment');
    await box.fill(text);
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const comment = page.locator('.comments .comment').first();
    await comment.waitFor();
    assert.equal(await comment.locator('.comment-text').innerText(), text);
    assert.match(await comment.locator('.comment-author').innerText(), /@admin/);
    assert.equal(await box.inputValue(), '', 'the box is emptied once the comment is posted');
    assert.equal(await page.locator('.snapshot-thread img, .snapshot-thread a[href^="javascript"]').count(), 0);
    await screenshot(page, 'snapshot-comment');

    // The thread survives a reload (the server keeps it), still as text.
    await page.reload();
    await page.locator('.comments .comment-text').first().waitFor();
    assert.equal(await page.locator('.comments .comment-text').first().innerText(), text);
    assert.equal(await page.locator('.snapshot-thread img').count(), 0);

    // Its @mention reached carol too.
    await eventually('the comment in carol\'s inbox', async () => {
      const { body } = await api('GET', '/api/v1/dogwatch/inbox/carol');
      return body.messages.some((m) => m.body.includes('onerror=alert(1)'));
    });

    // The event stream: the snapshot with its picture, linking to its page; the comment with its author.
    await page.goto(`${server.base}/event/explorer`);
    const shared = page.locator('li.event', { has: page.locator('a.event-snapshot:not(.reply)') }).first();
    await shared.waitFor();
    assert.equal(await shared.locator('.badge').innerText(), 'snapshot');
    const img = shared.locator('img.event-snapshot-picture');
    assert.equal(await img.getAttribute('alt'), seed.title);
    assert.equal(await img.getAttribute('src'), `/api/v1/dogwatch/snapshot/view/${seed.id}.png`);
    assert.equal(await shared.locator('a.event-snapshot').getAttribute('href'), `/snapshot/${seed.id}`);
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const i = document.querySelector('img.event-snapshot-picture');
      return i && i.complete && i.naturalWidth > 0;
    });
    const replied = page.locator('li.event', { hasText: 'onerror=alert(1)' });
    assert.match(await replied.locator('.event-author').innerText(), /by @admin/);
    assert.equal(await replied.locator('pre.event-text').innerText(), text);
    assert.equal(await page.locator('.events img:not(.event-snapshot-picture)').count(), 0);
    await screenshot(page, 'snapshot-events');
    // The picture leads to the page.
    await shared.locator('a.event-snapshot').click();
    await page.waitForURL(new RegExp(`/snapshot/${seed.id}$`));
    await page.getByRole('heading', { name: seed.title, level: 1 }).waitFor();

    assert.deepEqual(dialogs, []);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a board widget\'s snapshot freezes its queries with the template variable applied; its public link shows a visitor the graph and title only', async () => {
    await postSeries(server, [
      { metric: 'my_metric', type: 'gauge', host: 'debian', tags: ['env:test'], points: recentPoints(250, 80) },
    ]);
    const made = await api('POST', '/api/v1/dashboard', {
      title: 'Snapshot board',
      layout_type: 'free',
      template_variables: [{ name: 'host', prefix: 'host', default: '*' }],
      widgets: [{
        definition: { type: 'timeseries', title: 'Latency by host', requests: [{ q: 'avg:my_metric{$host} by {host}', display_type: 'line' }] },
        layout: { x: 0, y: 0, width: 6, height: 3 },
      }],
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/dashboard/${made.body.id}?tpl_var_host=ubuntu&span=15m&live=true`);
    await waitForSeries(page, 1, '.widget');
    await screenshot(page, 'snapshot-board');
    await page.getByRole('button', { name: 'Send snapshot of Latency by host' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send snapshot' });
    assert.equal(await dialog.getByLabel('Title').inputValue(), 'Latency by host');
    assert.match(await dialog.getByTestId('snapshot-window').innerText(), /\(15 minutes\)$/);
    await dialog.getByLabel('Message').fill('for everyone');
    await dialog.getByLabel('Public link').check();
    await dialog.getByLabel('Expires').selectOption({ label: '1 day' });
    await screenshot(page, 'snapshot-board-dialog');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    const href = await dialog.locator('.snapshot-sent a').getAttribute('href');
    const publicId = href.split('/').pop();
    const frozen = (await api('GET', `/api/v1/dogwatch/snapshots/${publicId}`)).body;
    assert.deepEqual(frozen.definition.requests.map((r) => r.q), ['avg:my_metric{host:ubuntu} by {host}']);
    assert.equal(frozen.definition.title, 'Latency by host');
    assert.equal(frozen.public, true);
    assert.ok(Math.abs(frozen.expires_ms - frozen.created_ms - 86_400_000) < 5_000);
    // Cancel is now Close, and closes.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await context.close();

    // A visitor with the link: the title and the graph, no sender, message or comments.
    const visitor = await openPage(browser, { session: null });
    await visitor.page.goto(`${server.base}/snapshot/${publicId}`);
    await visitor.page.getByRole('heading', { name: 'Latency by host', level: 1 }).waitFor();
    await waitForSeries(visitor.page, 1);
    await visitor.page.getByText('Sign in to see the discussion.').waitFor();
    assert.equal(await visitor.page.locator('nav').count(), 0);
    assert.equal(await visitor.page.locator('.snapshot-thread, .comments, .snapshot-message').count(), 0);
    assert.equal(await visitor.page.getByText('for everyone').count(), 0);
    assert.equal(await visitor.page.getByText('@admin').count(), 0);
    await screenshot(visitor.page, 'snapshot-public-visitor');

    // The seed's snapshot is private: the visitor is asked to sign in, and then sees it all.
    await visitor.page.goto(`${server.base}/snapshot/${seed.id}`);
    await visitor.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await visitor.page.getByRole('alert').getByText('This snapshot is private: sign in to see it.').waitFor();
    assert.equal(await visitor.page.locator('canvas').count(), 0);
    await screenshot(visitor.page, 'snapshot-private-visitor');
    await visitor.page.getByLabel('Handle').fill('admin');
    await visitor.page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await visitor.page.getByRole('button', { name: 'Sign in' }).click();
    await visitor.page.getByRole('heading', { name: seed.title, level: 1 }).waitFor();
    await visitor.page.locator('.comments .comment').first().waitFor();
    await visitor.page.locator('nav').waitFor();

    // Neither kind of reader gets a snapshot that does not exist.
    await visitor.page.goto(`${server.base}/snapshot/${'0'.repeat(32)}`);
    await visitor.page.getByText('This snapshot does not exist or has expired.').waitFor();
    assert.deepEqual(visitor.pageErrors, []);
    await visitor.context.close();

    const stranger = await openPage(browser, { session: null });
    await stranger.page.goto(`${server.base}/snapshot/${'0'.repeat(32)}`);
    await stranger.page.getByText('This snapshot does not exist or has expired.').waitFor();
    assert.equal(await stranger.page.locator('nav').count(), 0);
    assert.deepEqual(stranger.pageErrors, []);
    await stranger.context.close();
    assert.deepEqual(pageErrors, []);
  });

  test('from a monitor\'s page: Escape closes the dialog; the sender deletes the snapshot, whose page is then gone', async () => {
    const made = await api('POST', '/api/v1/monitor', {
      type: 'metric alert',
      name: 'my_metric high',
      query: 'avg(last_5m):avg:my_metric{*} > 80000',
      message: 'my_metric is {{value}}',
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const { context, page, pageErrors } = await openPage(browser);
    await page.goto(`${server.base}/monitors/${made.body.id}`);
    await page.getByRole('heading', { name: 'my_metric high' }).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('canvas.chart-canvas')?.dataset.series) >= 1);
    const button = page.getByRole('button', { name: 'Send snapshot' });
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Send snapshot' });
    assert.equal(await dialog.getByLabel('Title').inputValue(), 'my_metric high');
    assert.match(await dialog.getByTestId('snapshot-window').innerText(), /\(24 hours\)$/);
    await dialog.getByLabel('Message').press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await button.click();
    await dialog.getByLabel('Title').fill('');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    // The server's own words, where the action was.
    await dialog.getByRole('alert').getByText('title is required').waitFor();
    await screenshot(page, 'snapshot-dialog-error');
    await dialog.getByLabel('Title').fill('Monitor graph');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.locator('.snapshot-sent a').click();
    await page.getByRole('heading', { name: 'Monitor graph', level: 1 }).waitFor();
    const id = page.url().split('/').pop();
    const frozen = (await api('GET', `/api/v1/dogwatch/snapshots/${id}`)).body;
    assert.deepEqual(frozen.definition.requests.map((r) => r.q), ['avg:my_metric{*}']);
    // The thresholds are drawn as on the monitor's graph.
    assert.equal(frozen.definition.markers.length, 1);

    // Deleting asks first; Escape takes the question back.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete snapshot' });
    await confirm.waitFor();
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await api('GET', `/api/v1/dogwatch/snapshots/${id}`)).status, 200);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.getByRole('button', { name: 'Delete snapshot' }).click();
    await page.waitForURL(/\/event\/explorer$/);
    assert.equal((await api('GET', `/api/v1/dogwatch/snapshots/${id}`)).status, 404);
    await page.goto(`${server.base}/snapshot/${id}`);
    await page.getByText('This snapshot does not exist or has expired.').waitFor();
    await screenshot(page, 'snapshot-gone');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a wall screen\'s anonymous viewer reads a snapshot and its thread, but has no way to send one or comment', async () => {
    const wall = await startServer({ extraArgs: ['--anonymous-viewer'] });
    try {
      const now = Math.floor(Date.now() / 1000);
      await postSeries(wall, [{ metric: 'my_metric', points: [[now - 120, 1], [now - 60, 2]] }]);
      const made = await apiCall(wall, 'POST', '/api/v1/dogwatch/snapshots', {
        title: 'On the wall',
        message: 'for the team',
        definition: { type: 'timeseries', requests: [{ q: 'avg:my_metric{*}' }] },
        from_ms: (now - 300) * 1000,
        to_ms: now * 1000,
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const viewer = await openPage(browser, { server: wall, session: null });
      await viewer.page.goto(`${wall.base}/snapshot/${made.body.id}`);
      await viewer.page.getByRole('heading', { name: 'On the wall', level: 1 }).waitFor();
      await waitForSeries(viewer.page, 1);
      await viewer.page.getByText('Sign in to comment.').waitFor();
      assert.equal(await viewer.page.locator('.comment-form').isVisible(), false);
      await viewer.page.goto(`${wall.base}/metric/explorer?metric=my_metric&span=15m&live=true`);
      await waitForSeries(viewer.page, 1);
      assert.equal(await viewer.page.getByRole('button', { name: 'Send snapshot' }).count(), 0);
      assert.deepEqual(viewer.pageErrors, []);
      await viewer.context.close();
    } finally {
      await wall.stop();
    }
  });
});
