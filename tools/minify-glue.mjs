// Trunk post_build hook (Trunk.toml): minifies the JavaScript glue that wasm-bindgen writes next to
// the wasm (about 60 KB with comments and long names: 11 KB gzipped, 8 KB once minified). Trunk
// minifies CSS and HTML itself (`minify`) but not this file. Release builds only.
//
// The glue is an ES module whose exports the page imports by name, so export names stay as they
// are (terser never mangles exports); everything else may be renamed. Trunk's subresource
// integrity hashes are turned off in Trunk.toml: they are computed before this hook runs, and they
// guard nothing for files served by the same server as the page.

import fs from 'node:fs';
import path from 'node:path';
import { minify } from 'terser';

if (process.env.TRUNK_PROFILE === 'release') {
  const dir = process.env.TRUNK_STAGING_DIR;
  if (!dir) throw new Error('minify-glue: TRUNK_STAGING_DIR is not set (run by trunk as a hook)');
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    const file = path.join(dir, name);
    const source = fs.readFileSync(file, 'utf8');
    const out = await minify(source, { module: true, compress: true, mangle: true, format: { comments: false } });
    if (!out.code) throw new Error(`minify-glue: terser returned nothing for ${name}`);
    fs.writeFileSync(file, out.code);
    process.stderr.write(`minify-glue: ${name} ${source.length} -> ${out.code.length} bytes\n`);
  }
}
