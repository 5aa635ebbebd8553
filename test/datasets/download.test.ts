import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { memoryLog } from '../../src/log.js';
import { FASHION_MNIST_CLASS_NAMES, loadDataset } from '../../src/datasets/load-dataset.js';
import { datasetCacheDir, defaultCacheDir, downloadDataset } from '../../src/datasets/download.js';
import { idxImages, idxLabels, idxPixel, makeTempDir, removeDir, tarGzip, writeCifarDirectory } from './fixtures.js';

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** A local HTTP server serving `files` by URL path; records every request path. */
async function serve(files: Map<string, Uint8Array>): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = files.get(request.url ?? '');
    if (!body) {
      response.writeHead(404, 'Not Found').end();
      return;
    }
    response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).not.toContain('\n');
  return error as Error;
}

let temp: string;
let cacheDir: string;
let archive: Uint8Array;
let server: Server | undefined;

beforeEach(async () => {
  temp = await makeTempDir('gradcam-download-');
  cacheDir = join(temp, 'cache');
  await writeCifarDirectory(join(temp, 'source'));
  archive = tarGzip(join(temp, 'source'), 'cifar-10-batches-bin');
});
afterEach(async () => {
  if (server) await stop(server);
  server = undefined;
  await removeDir(temp);
});

describe('downloadDataset against a local server', () => {
  it('downloads, verifies, caches, and does not fetch a valid cached file again', async () => {
    const served = await serve(new Map([['/cifar10/cifar-10-binary.tar.gz', archive]]));
    server = served.server;
    const checksums = { 'cifar-10-binary.tar.gz': md5(archive) };
    const log = memoryLog();

    const directory = await downloadDataset('cifar10', { cacheDir, mirror: served.url, checksums, log });
    expect(directory).toBe(join(cacheDir, 'cifar10'));
    expect(await readdir(directory)).toEqual(['cifar-10-binary.tar.gz']);
    expect(md5(await readFile(join(directory, 'cifar-10-binary.tar.gz')))).toBe(md5(archive));
    expect(served.requests).toEqual(['/cifar10/cifar-10-binary.tar.gz']);
    expect(log.lines[0]).toBe(`downloading ${served.url}/cifar10/cifar-10-binary.tar.gz`);

    await downloadDataset('cifar10', { cacheDir, mirror: `${served.url}/`, checksums, log });
    expect(served.requests).toHaveLength(1);
    expect(log.lines.at(-1)).toContain('already downloaded');

    // --download end to end: fetch step skipped, archive read from the cache.
    const dataset = await loadDataset('cifar10', { download: true, cacheDir, mirror: served.url, checksums });
    expect(served.requests).toHaveLength(1);
    expect([dataset.train.count, dataset.test.count]).toEqual([20, 3]);
    expect(dataset.source).toBe(join(directory, 'cifar-10-binary.tar.gz'));
    // And later runs without --download find it in the cache.
    const later = await loadDataset('cifar10', { cacheDir, splits: ['test'] });
    expect(later.test.count).toBe(3);
  });

  it('downloads all four IDX files and loads them (Fashion-MNIST)', async () => {
    const files = new Map([
      ['train-images-idx3-ubyte.gz', gzipSync(idxImages(5, 28, 28, idxPixel))],
      ['train-labels-idx1-ubyte.gz', gzipSync(idxLabels([0, 1, 2, 3, 9]))],
      ['t10k-images-idx3-ubyte.gz', gzipSync(idxImages(2, 28, 28, idxPixel))],
      ['t10k-labels-idx1-ubyte.gz', gzipSync(idxLabels([8, 7]))],
    ]);
    const served = await serve(new Map([...files].map(([name, bytes]) => [`/fashion-mnist/${name}`, bytes])));
    server = served.server;
    const checksums = Object.fromEntries([...files].map(([name, bytes]) => [name, md5(bytes)]));
    const dataset = await loadDataset('fashion-mnist', { download: true, cacheDir, mirror: served.url, checksums });
    expect(served.requests).toHaveLength(4);
    expect(Array.from(dataset.train.labels)).toEqual([0, 1, 2, 3, 9]);
    expect(Array.from(dataset.test.labels)).toEqual([8, 7]);
    expect(dataset.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect((await readdir(join(cacheDir, 'fashion-mnist'))).sort()).toEqual([...files.keys()].sort());
  });

  it('rejects a checksum mismatch and leaves nothing in the cache', async () => {
    const served = await serve(new Map([['/cifar10/cifar-10-binary.tar.gz', archive]]));
    server = served.server;
    const wrong = '0123456789abcdef0123456789abcdef';
    const error = await rejection(
      downloadDataset('cifar10', { cacheDir, mirror: served.url, checksums: { 'cifar-10-binary.tar.gz': wrong } }),
    );
    expect(error.message).toContain(`${served.url}/cifar10/cifar-10-binary.tar.gz`);
    expect(error.message).toContain(`MD5 ${md5(archive)} but expected ${wrong}`);
    expect(await readdir(datasetCacheDir(cacheDir, 'cifar10'))).toEqual([]);
  });

  it('replaces a corrupt cached file', async () => {
    const served = await serve(new Map([['/cifar10/cifar-10-binary.tar.gz', archive]]));
    server = served.server;
    const target = join(cacheDir, 'cifar10', 'cifar-10-binary.tar.gz');
    await downloadDataset('cifar10', {
      cacheDir,
      mirror: served.url,
      checksums: { 'cifar-10-binary.tar.gz': md5(archive) },
    });
    await writeFile(target, 'half a download');
    const log = memoryLog();
    await downloadDataset('cifar10', {
      cacheDir,
      mirror: served.url,
      checksums: { 'cifar-10-binary.tar.gz': md5(archive) },
      log,
    });
    expect(served.requests).toHaveLength(2);
    expect(md5(await readFile(target))).toBe(md5(archive));
    expect(log.lines).toContain(`warning: ${target}: MD5 differs from the official one; downloading it again`);
  });

  it('names the URL and the manual route when the server is unreachable', async () => {
    // Take a free port, then close it: connections to it are refused.
    const served = await serve(new Map());
    await stop(served.server);
    const url = `${served.url}/cifar10/cifar-10-binary.tar.gz`;
    const error = await rejection(downloadDataset('cifar10', { cacheDir, mirror: served.url }));
    expect(error.message).toBe(
      `cannot download ${url} (ECONNREFUSED); without network, put cifar-10-binary.tar.gz into ` +
        `${join(cacheDir, 'cifar10')} by hand`,
    );
    expect(await readdir(join(cacheDir, 'cifar10'))).toEqual([]);
  });

  it('reports HTTP errors and a stalled server', async () => {
    const served = await serve(new Map());
    server = served.server;
    const notFound = await rejection(downloadDataset('mnist', { cacheDir, mirror: served.url }));
    expect(notFound.message).toContain(
      `cannot download ${served.url}/mnist/train-images-idx3-ubyte.gz (HTTP 404 Not Found)`,
    );
    expect(notFound.message).toContain(
      'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz',
    );

    const stalled = createServer(() => {
      // Accept the request and never answer.
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    try {
      const mirror = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
      const started = performance.now();
      const timedOut = await rejection(downloadDataset('cifar10', { cacheDir, mirror, timeoutMs: 300 }));
      expect(timedOut.message).toContain(
        `cannot download ${mirror}/cifar10/cifar-10-binary.tar.gz (no data for 0.3 s)`,
      );
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await stop(stalled);
    }
    expect(await readdir(join(cacheDir, 'cifar10'))).toEqual([]);
  });

  it('takes the mirror from GRADCAM_MIRROR', async () => {
    const served = await serve(new Map([['/cifar10/cifar-10-binary.tar.gz', archive]]));
    server = served.server;
    const saved = process.env.GRADCAM_MIRROR;
    process.env.GRADCAM_MIRROR = served.url;
    try {
      await downloadDataset('cifar10', { cacheDir, checksums: { 'cifar-10-binary.tar.gz': md5(archive) } });
    } finally {
      if (saved === undefined) delete process.env.GRADCAM_MIRROR;
      else process.env.GRADCAM_MIRROR = saved;
    }
    expect(served.requests).toEqual(['/cifar10/cifar-10-binary.tar.gz']);
  });
});

describe('defaultCacheDir', () => {
  it('is $GRADCAM_CACHE, else ~/.cache/gradcam', () => {
    expect(defaultCacheDir({ GRADCAM_CACHE: '/srv/cache' })).toBe('/srv/cache');
    expect(defaultCacheDir({})).toBe(join(homedir(), '.cache', 'gradcam'));
  });
});

describe('loadDataset without a source', () => {
  it('says nothing was given or downloaded when the cache is empty', async () => {
    const message = `cifar10: no data files given and nothing downloaded yet in ${join(cacheDir, 'cifar10')}`;
    await expect(loadDataset('cifar10', { cacheDir })).rejects.toThrow(message);
    // What a failed download leaves: the empty dataset directory.
    await mkdir(join(cacheDir, 'cifar10'), { recursive: true });
    await expect(loadDataset('cifar10', { cacheDir })).rejects.toThrow(message);
  });
});
