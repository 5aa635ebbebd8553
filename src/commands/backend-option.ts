/**
 * The --backend (--threads) option, started: library errors about the choice get the flag.
 */
import { initBackend, type BackendInfo } from '../backend/index.js';
import { forOption } from '../errors.js';
import type { Log } from '../log.js';
import type { BackendOptions } from './option-table.js';

/**
 * Starts the --backend (--threads) and, unless `announce` is false, says which one runs (a command
 * that starts it beside other work announces it once that work has succeeded too).
 */
export async function startBackend(globals: BackendOptions, log: Log, announce = true): Promise<BackendInfo> {
  const backend = await forOption('--backend', () => initBackend(globals.backend, log, globals.threads));
  if (announce) announceBackend(backend, log);
  return backend;
}

export function announceBackend(backend: BackendInfo, log: Log): void {
  log.info(`backend ${backend.description}`);
}
