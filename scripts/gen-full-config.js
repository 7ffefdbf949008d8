#!/usr/bin/env node
// `npm run config:example`: writes examples/full.yaml from the config schemas (src/config/example.ts,
// run from dist/, so the npm script builds first). test/unit/config-example.test.ts fails when the
// committed file is not this output.
import { writeFileSync } from 'node:fs';
import { exampleConfig } from '../dist/config/example.js';

const file = new URL('../examples/full.yaml', import.meta.url);
writeFileSync(file, exampleConfig());
process.stdout.write('wrote examples/full.yaml\n');
