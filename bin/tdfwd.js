#!/usr/bin/env node
// Launcher only: the program lives in dist/cli/main.js (built by `npm run build`, run by `npm ci`).
// Its V8 settings (dist/cli/runtime-flags.js) are made first, before the program's modules load:
// the young generation's size is fixed by then, not after it has grown.
import('../dist/cli/runtime-flags.js')
  .then((flags) => {
    flags.setRuntimeFlags();
    return import('../dist/cli/main.js');
  })
  .then((m) => m.main(process.argv))
  .catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write('tdfwd: dist/ is missing; run `npm run build` first\n');
      process.exit(2);
    }
    throw err;
  });
