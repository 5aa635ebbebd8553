// `npm run docs`: writes docs/options.md from the built option tables (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../dist/cli.js';
import { renderOptionsReference } from '../dist/commands/options-reference.js';

const target = join(import.meta.dirname, '..', 'docs', 'options.md');
writeFileSync(target, renderOptionsReference(buildProgram()));
process.stdout.write(`${target}\n`);
