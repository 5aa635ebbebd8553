/**
 * Progress and warnings go to stderr; stdout is reserved for results (paths, `--json`).
 */
export interface Log {
  /** Progress and notices; silent under `--quiet`. */
  info(message: string): void;
  /** Something the user should know about even under `--quiet` is not an error, so it is also silenced there. */
  warn(message: string): void;
}

export function stderrLog(quiet: boolean): Log {
  return {
    info: (message) => {
      if (!quiet) process.stderr.write(`${message}\n`);
    },
    warn: (message) => {
      if (!quiet) process.stderr.write(`gradcam: warning: ${message}\n`);
    },
  };
}

/** A log that records lines, for tests that call `run<Name>` directly. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
}
