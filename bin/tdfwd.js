#!/usr/bin/env node
// Launcher only: the program lives in dist/cli/main.js (built by `npm run build`, run by `npm ci`).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('tdfwd: dist/ is missing; run `npm run build` first\n');
    process.exit(2);
  }
  throw err;
});
