/**
 * `--download`: fetches a dataset's official files into a cache directory and verifies their MD5
 * checksums. Each file is streamed into a temporary sibling and renamed into place only after its
 * checksum matched, so the cache never holds a partial or corrupt file under the real name, and
 * a file already present with the right checksum is not fetched again.
 *
 * Cache layout: `<cacheDir>/<dataset>/<file name>`, e.g. `~/.cache/gradcam/cifar10/cifar-10-binary.tar.gz`.
 * A mirror (`GRADCAM_MIRROR` or the `mirror` option) is laid out the same way, so any static file
 * server over a filled cache directory is a mirror.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError, messageOf } from '../errors.js';
import type { Log } from '../log.js';
import { temporarySibling } from '../io/atomic.js';
import type { DatasetName, DownloadableDataset } from '../choices.js';
import { statIfExists } from '../io/read-files.js';

export interface DownloadFile {
  fileName: string;
  /** Lowercase hex MD5 of the file as served. */
  md5: string;
}

export interface DatasetSource {
  /** Ends with `/`; a file's URL is the base followed by its name. */
  baseUrl: string;
  files: DownloadFile[];
}

/**
 * The official files. URLs and MD5s as published by the dataset authors and used by torchvision
 * (pytorch/vision, torchvision/datasets/mnist.py: `MNIST.mirrors`/`resources`,
 * `FashionMNIST.mirrors`/`resources`). MNIST uses torchvision's ossci-datasets mirror because
 * yann.lecun.com, torchvision's first mirror, refuses downloads (HTTP 403) nowadays. The CIFAR-10
 * MD5 is the one printed on https://www.cs.toronto.edu/~kriz/cifar.html for the binary version.
 * Fashion-MNIST's official bucket is served over plain HTTP only; the MD5 check guards integrity.
 */
/** A file could not be fetched (network, HTTP status, timeout); the message says how to get it by hand. */
export class DownloadError extends InputError {}

export const OFFICIAL_SOURCES: Record<DownloadableDataset, DatasetSource> = {
  cifar10: {
    baseUrl: 'https://www.cs.toronto.edu/~kriz/',
    files: [{ fileName: 'cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' }],
  },
  mnist: {
    baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
    files: [
      { fileName: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
      { fileName: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
      { fileName: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3' },
      { fileName: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
    ],
  },
  'fashion-mnist': {
    baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    files: [
      { fileName: 'train-images-idx3-ubyte.gz', md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
      { fileName: 'train-labels-idx1-ubyte.gz', md5: '25c81989df183df01b3e8a0aad5dffbe' },
      { fileName: 't10k-images-idx3-ubyte.gz', md5: 'bef4ecab320f06d8554ea6380940ec79' },
      { fileName: 't10k-labels-idx1-ubyte.gz', md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
    ],
  },
};

export interface DownloadOptions {
  /** Default: defaultCacheDir(). */
  cacheDir?: string;
  /**
   * Root URL laid out like the cache (`<mirror>/<dataset>/<file>`).
   * Default: $GRADCAM_MIRROR, else the official URLs.
   */
  mirror?: string;
  /** MD5 by file name, replacing the official ones (tests serve small fixture files). */
  checksums?: Record<string, string>;
  /** Give up when no data arrives for this long. Default 60 s. */
  timeoutMs?: number;
  log?: Log;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** `$GRADCAM_CACHE`, else `~/.cache/gradcam`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GRADCAM_CACHE || join(homedir(), '.cache', 'gradcam');
}

/** Where `name`'s files live inside `cacheDir`. */
export function datasetCacheDir(cacheDir: string, name: DatasetName): string {
  return join(cacheDir, name);
}

/**
 * Makes sure every official file of `name` is in the cache with the right MD5, downloading the
 * ones that are not; returns the dataset's cache directory. Throws InputError (one line, naming
 * the URL and where to put the files by hand) when a download fails or its checksum is wrong.
 */
export async function downloadDataset(name: DownloadableDataset, options: DownloadOptions = {}): Promise<string> {
  const directory = datasetCacheDir(options.cacheDir ?? defaultCacheDir(), name);
  const source = OFFICIAL_SOURCES[name];
  const mirror = options.mirror ?? process.env.GRADCAM_MIRROR;
  const fileNames = source.files.map((file) => file.fileName).join(', ');
  const byHand = `without network, put ${fileNames} into ${directory} by hand`;
  await mkdir(directory, { recursive: true });

  for (const { fileName, md5: officialMd5 } of source.files) {
    const md5 = options.checksums?.[fileName] ?? officialMd5;
    const target = join(directory, fileName);
    if ((await statIfExists(target))?.isFile()) {
      if ((await md5OfFile(target)) === md5) {
        options.log?.info(`${target}: already downloaded (MD5 verified)`);
        continue;
      }
      options.log?.warn(`${target}: MD5 differs from the official one; downloading it again`);
    }
    const url = mirror ? `${mirror.replace(/\/+$/, '')}/${name}/${fileName}` : `${source.baseUrl}${fileName}`;
    options.log?.info(`downloading ${url}`);
    const bytes = await fetchVerified(url, target, md5, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, byHand);
    options.log?.info(`saved ${target} (${(bytes / 1e6).toFixed(1)} MB, MD5 verified)`);
  }
  return directory;
}

/**
 * Streams `url` into a temporary sibling of `target` while hashing it, then renames it over
 * `target` if the MD5 matches. Returns the byte count. On any failure nothing is left behind.
 */
async function fetchVerified(
  url: string,
  target: string,
  md5: string,
  timeoutMs: number,
  byHand: string,
): Promise<number> {
  const temporary = temporarySibling(target);
  // An inactivity timeout rather than a total one: a slow but steady link must be able to finish.
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), timeoutMs);
  const stillAlive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  const failure = (reason: string) => new DownloadError(`cannot download ${url} (${reason}); ${byHand}`);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (error) {
      throw failure(networkReason(error, controller.signal, timeoutMs));
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw failure(`HTTP ${response.status} ${response.statusText}`.trim());
    }

    const hash = createHash('md5');
    let bytes = 0;
    const handle = await open(temporary, 'wx');
    try {
      for await (const chunk of response.body) {
        stillAlive();
        hash.update(chunk);
        bytes += chunk.length;
        await handle.write(chunk);
      }
      // Flush before the rename so a crash cannot leave a complete name over incomplete bytes.
      await handle.sync();
    } catch (error) {
      throw failure(networkReason(error, controller.signal, timeoutMs));
    } finally {
      await handle.close();
    }
    const actual = hash.digest('hex');
    if (actual !== md5) {
      throw new InputError(
        `${url}: MD5 ${actual} but expected ${md5} (corrupt or altered download; nothing was saved)`,
      );
    }
    await rename(temporary, target);
    return bytes;
  } finally {
    clearTimeout(timer);
    await rm(temporary, { force: true });
  }
}

/** A short reason for a failed fetch: the system error code if there is one (`ECONNREFUSED`). */
function networkReason(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `no data for ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? messageOf(error);
}

/** Lowercase hex MD5 of a file, streamed so a 170 MB archive is not held in memory. */
async function md5OfFile(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
