/**
 * Steps several commands share: they call library code and put the command-line words into its
 * errors (library errors name values and files, not options).
 */
import { initBackend, type BackendInfo } from '../backend/index.js';
import type { DatasetName } from '../choices.js';
import { forOption, relabel, UsageError } from '../errors.js';
import { loadDataset, NoDatasetFilesError, type LoadDatasetOptions } from '../datasets/load-dataset.js';
import { DownloadError } from '../datasets/download.js';
import type { Dataset } from '../datasets/image-set.js';
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

/** `--dataset NAME` read from `--data PATH`, a `--download`, the cache or the embedded MNIST. */
export async function loadDatasetOption(name: DatasetName, options: LoadDatasetOptions): Promise<Dataset> {
  if (options.data !== undefined && options.download) {
    throw new UsageError(
      '--data and --download cannot be combined: --download reads what it fetched from the cache directory',
    );
  }
  return relabel(
    () => loadDataset(name, options),
    (error) => {
      if (error instanceof NoDatasetFilesError) {
        return `--dataset ${name} needs --data <path> or --download (nothing downloaded yet in ${error.cacheDirectory})`;
      }
      return error instanceof DownloadError ? `${error.message}, or pass --data` : error.message;
    },
  );
}
