/** Runs the real launcher (bin/gradcam.js, built dist/) in a child process. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const LAUNCHER = fileURLToPath(new URL('../../bin/gradcam.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The signal that ended the child (a crash, an OOM kill or `timeoutMs`), else null. */
  signal: NodeJS.Signals | null;
}

export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [LAUNCHER, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, GRADCAM_BACKEND: 'wasm', ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 0,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, signal: (error?.signal as NodeJS.Signals | undefined) ?? null });
      },
    );
  });
}
