/**
 * The --dataset option (with --data or --download), loaded: checks how the options combine, then
 * says the library's dataset errors in terms of those options.
 */
import type { DatasetName } from '../choices.js';
import { relabel, UsageError } from '../errors.js';
import {
  loadDataset,
  NoDatasetFilesError,
  type DatasetFiles,
  type LoadDatasetOptions,
} from '../datasets/load-dataset.js';
import { DownloadError } from '../datasets/download.js';
import type { Dataset } from '../datasets/image-set.js';

/** What `loadDatasetOption` takes: the options as given, `--data` and `--download` not yet checked. */
export type DatasetOptionValues = Omit<LoadDatasetOptions, 'data' | 'download'> & { data?: string; download?: boolean };

/** `--dataset NAME` read from `--data PATH`, a `--download`, the cache or the embedded MNIST. */
export async function loadDatasetOption(name: DatasetName, options: DatasetOptionValues): Promise<Dataset> {
  const { data, download, ...rest } = options;
  if (data !== undefined && download) {
    throw new UsageError(
      '--data and --download cannot be combined: --download reads what it fetched from the cache directory',
    );
  }
  if (name === 'folder' && download) {
    throw new UsageError('--dataset folder reads your own images from --data DIR; there is nothing to download');
  }
  const files: DatasetFiles = download ? { download: true } : { data };
  return relabel(
    () => loadDataset(name, { ...rest, ...files }),
    (error) => {
      if (error instanceof NoDatasetFilesError) {
        return name === 'folder'
          ? '--dataset folder needs --data DIR, a folder holding train/<class>/ (and optionally test/<class>/) images'
          : `--dataset ${name} needs --data <path> or --download (nothing downloaded yet in ${error.cacheDirectory})`;
      }
      return error instanceof DownloadError ? `${error.message}, or pass --data` : error.message;
    },
  );
}
