#!/usr/bin/env node
// CommonJS on purpose: see scripts/bundle.mjs.
require('../dist/cmemgzip.js');
