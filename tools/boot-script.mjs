// Trunk post_build hook (Trunk.toml): moves the inline module script Trunk writes into index.html
// (it imports the wasm-bindgen glue, starts the wasm and exposes `window.wasmBindings`) into a file
// of its own, `boot-<hash>.js`, so that the page needs no inline script and the server's
// Content-Security-Policy can say `script-src 'self'`. The name carries a hash of the content, as
// Trunk's other assets do, so the server caches it like them.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('boot-script: TRUNK_STAGING_DIR is not set (run by trunk as a hook)');
const page = path.join(dir, 'index.html');
const html = fs.readFileSync(page, 'utf8');
const inline = /<script type=("?)module\1>([\s\S]*?)<\/script>/g;
const found = [...html.matchAll(inline)];
if (found.length !== 1) {
  throw new Error(`boot-script: expected one inline module script in index.html, found ${found.length}`);
}
const source = found[0][2];
const hash = crypto.createHash('sha256').update(source).digest('hex').slice(0, 16);
const name = `boot-${hash}.js`;
fs.writeFileSync(path.join(dir, name), source);
fs.writeFileSync(page, html.replace(found[0][0], `<script type=module src=/${name}></script>`));
process.stderr.write(`boot-script: index.html's inline script is now /${name}\n`);
