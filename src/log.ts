/**
 * Progress, warnings and errors go to stderr, each line starting with `gradcam:`; stdout is
 * reserved for results (paths, `--json`).
 */
import { escapeControlCharacters } from './errors.js';

export interface Log {
  /** Progress and notices; silent when quiet. */
  info(message: string): void;
  /** Something the user should know about that is not an error; also silent when quiet. */
  warn(message: string): void;
  /** An input that failed while the others go on; printed even when quiet. */
  error(message: string): void;
}

/** `prefix` starts every line: `gradcam`, or `gradcam demo` for the demo's own steps. */
export function stderrLog(quiet: boolean, prefix = 'gradcam'): Log {
  return {
    info: (message) => {
      if (!quiet) process.stderr.write(`${prefix}: ${message}\n`);
    },
    warn: (message) => {
      if (!quiet) process.stderr.write(`${prefix}: warning: ${message}\n`);
    },
    error: (message) => process.stderr.write(`${prefix}: error: ${escapeControlCharacters(message)}\n`),
  };
}

/** A log that records lines, for tests that call `run<Name>` directly. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}
