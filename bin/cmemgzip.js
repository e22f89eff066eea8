#!/usr/bin/env node
import '../dist/cmemgzip.js';
