/**
 * Small, learnable datasets written in the real on-disk formats (MNIST IDX, CIFAR-10 binary), for
 * end-to-end tests: image n of class k is dark noise with a bright square in the k-th cell of a
 * grid, so a tiny network learns it in a few steps and Grad-CAM should light up that cell.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIFAR_META, cifarRecords, idxImages, idxLabels } from '../data/fixtures.js';

export const SQUARE = 6;

/** Top-left corner of class k's square on a side×side image (a 4×3 grid of cells). */
export function squareCorner(classIndex: number, side: number): [number, number] {
  const cell = Math.floor(side / 4);
  return [Math.floor(classIndex / 4) * cell + 1, (classIndex % 4) * cell + 1];
}

function pixelOf(n: number, classIndex: number, side: number, y: number, x: number, channel: number): number {
  const [top, left] = squareCorner(classIndex, side);
  const inside = y >= top && y < top + SQUARE && x >= left && x < left + SQUARE;
  const noise = (n * 131 + y * 17 + x * 29 + channel * 7) % 40;
  return inside ? 200 + (noise % 50) : noise;
}

/** Writes the four MNIST IDX files (gzipped, as distributed) into `directory`. */
export async function writeSyntheticMnist(directory: string, trainCount: number, testCount: number): Promise<void> {
  await mkdir(directory, { recursive: true });
  const side = 28;
  const split = async (prefix: string, count: number, offset: number) => {
    const labels = Array.from({ length: count }, (_, n) => (n + offset) % 10);
    const images = idxImages(count, side, side, (n, y, x) => pixelOf(n + offset, labels[n], side, y, x, 0));
    await writeFile(join(directory, `${prefix}-images-idx3-ubyte.gz`), gzipSync(images));
    await writeFile(join(directory, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(idxLabels(labels)));
  };
  await split('train', trainCount, 0);
  await split('t10k', testCount, 3);
}

/** Writes a CIFAR-10 binary directory (5 train batches of `perBatch`, a test batch, meta). */
export async function writeSyntheticCifar(directory: string, perBatch: number, testCount: number): Promise<void> {
  await mkdir(directory, { recursive: true });
  const side = 32;
  const batch = (count: number, offset: number) => {
    const labels = Array.from({ length: count }, (_, n) => (n + offset) % 10);
    return cifarRecords(labels, (n, c, y, x) => pixelOf(n + offset, labels[n], side, y, x, c));
  };
  for (let b = 1; b <= 5; b++) await writeFile(join(directory, `data_batch_${b}.bin`), batch(perBatch, b * perBatch));
  await writeFile(join(directory, 'test_batch.bin'), batch(testCount, 7));
  await writeFile(join(directory, 'batches.meta.txt'), CIFAR_META.trimEnd() + '\n');
}
