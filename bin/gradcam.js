#!/usr/bin/env node
// Thin launcher: everything lives in the compiled CLI (built by `npm install` via `prepare`).
import { main } from '../dist/cli.js';

await main(process.argv);
