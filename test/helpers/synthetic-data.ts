/**
 * Small, learnable datasets written in the real on-disk formats (MNIST IDX, CIFAR-10 binary,
 * ImageFolder trees of PNG and JPEG), for end-to-end tests: image n of class k is dark noise with
 * a bright square in the k-th cell of a grid, so a tiny network learns it in a few steps and
 * Grad-CAM should light up that cell.
 */
import jpeg from 'jpeg-js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodePng } from '../../src/io/image-codec.js';
import { CIFAR_META, cifarRecords, idxImages, idxLabels } from '../datasets/fixtures.js';

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
  await writeFile(join(directory, 'batches.meta.txt'), `${CIFAR_META.trimEnd()}\n`);
}

/**
 * Writes an ImageFolder tree, `directory/<split>/<class>/NNN.{png,jpg}`: `perClass[split]` images
 * of each class (the learnable squares of the other writers, in colour, `side`×`side`), even-
 * numbered images as PNG, odd ones as JPEG (quality 95).
 */
export async function writeSyntheticFolder(
  directory: string,
  classNames: readonly string[],
  perClass: Partial<Record<'train' | 'test', number>>,
  side = 32,
): Promise<void> {
  for (const [split, count] of Object.entries(perClass)) {
    for (const [label, name] of classNames.entries()) {
      const folder = join(directory, split, name);
      await mkdir(folder, { recursive: true });
      for (let n = 0; n < (count ?? 0); n++) {
        const rgb = new Uint8Array(side * side * 3);
        for (let y = 0; y < side; y++)
          for (let x = 0; x < side; x++)
            for (let c = 0; c < 3; c++)
              rgb[(y * side + x) * 3 + c] = pixelOf(n + (split === 'test' ? 1000 : 0), label, side, y, x, c);
        if (n % 2 === 0) {
          await writeFile(
            join(folder, `${String(n).padStart(3, '0')}.png`),
            encodePng({ data: rgb, width: side, height: side, channels: 3 }),
          );
        } else {
          const rgba = new Uint8Array(side * side * 4);
          for (let p = 0; p < side * side; p++) rgba.set([rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2], 255], 4 * p);
          await writeFile(
            join(folder, `${String(n).padStart(3, '0')}.jpg`),
            jpeg.encode({ data: rgba, width: side, height: side }, 95).data,
          );
        }
      }
    }
  }
}
