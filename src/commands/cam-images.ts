/**
 * What `cam` explains: image files (`--image`, `--images DIR`) or test images of a dataset
 * (`--dataset … --index/--count`). Each image gets a safe, unique id that names its output files.
 * Files are listed here but decoded only when their batch comes up, so thousands of images never
 * sit in memory at once.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import type { DecodedImage } from '../io/image-codec.js';
import { readImageFile } from '../io/image-codec.js';
import { statIfExists } from '../io/read-files.js';
import type { ImageSet } from '../datasets/image-set.js';

export interface CamImage {
  /** Safe file-name stem, unique within the run: `cat_01`, `test_00042`. */
  id: string;
  /** Where it came from, for the manifest and messages: a path or `mnist test #42`. */
  source: string;
  /** The image as given: original size and colours. Throws InputError for an unusable file. */
  read(): Promise<DecodedImage>;
  /** The true class index, when the image comes from a labelled dataset. */
  label?: number;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** Images from files (in the order given), then from directories (sorted by name). */
export async function imagesFromFiles(files: readonly string[], directories: readonly string[]): Promise<CamImage[]> {
  const paths: string[] = [...files];
  for (const directory of directories) paths.push(...(await listImages(directory)));
  const seen = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(path);
    if (seen.has(absolute)) throw new UsageError(`${path}: given twice`);
    seen.add(absolute);
  }
  const ids = uniqueIds(paths.map((path) => basename(path, extname(path))));
  return paths.map((path, index) => ({ id: ids[index], source: path, read: () => readImageFile(path) }));
}

/** Test images `indices` of a dataset split, ids `test_00042`. */
export function imagesFromDataset(set: ImageSet, datasetName: string, indices: readonly number[]): CamImage[] {
  const digits = Math.max(5, String(set.count - 1).length);
  checkIndices(indices, set.count, `the ${datasetName} test set`);
  return indices.map((index) => {
    const size = set.height * set.width * set.channels;
    const image: DecodedImage = {
      data: set.images.slice(index * size, (index + 1) * size),
      width: set.width,
      height: set.height,
      channels: set.channels as 1 | 3,
    };
    return {
      id: `test_${String(index).padStart(digits, '0')}`,
      source: `${datasetName} test #${index}`,
      read: async () => image,
      label: set.labels[index],
    };
  });
}

/**
 * Images `indices` of a folder dataset's test (or validation) split, read from their files when
 * their batch comes up, at their own size: ids `test_00042` / `validation_00042`, the file as the
 * source, the class folder as the label.
 */
export function imagesFromFolder(
  files: readonly { path: string; label: number }[],
  split: 'test' | 'validation',
  indices: readonly number[],
): CamImage[] {
  const digits = Math.max(5, String(files.length - 1).length);
  checkIndices(indices, files.length, `the ${split} split`);
  return indices.map((index) => {
    const { path, label } = files[index];
    return {
      id: `${split}_${String(index).padStart(digits, '0')}`,
      source: path,
      read: () => readImageFile(path),
      label,
    };
  });
}

/** Every index inside 0 … count − 1, none twice. */
function checkIndices(indices: readonly number[], count: number, what: string): void {
  const seen = new Set<number>();
  for (const index of indices) {
    if (index >= count) throw new UsageError(`${index}: ${what} has ${count} images (0–${count - 1})`, String(index));
    if (seen.has(index)) throw new UsageError(`${index}: given twice`, String(index));
    seen.add(index);
  }
}

async function listImages(directory: string): Promise<string[]> {
  const info = await statIfExists(directory);
  if (!info?.isDirectory()) throw new InputError(`${directory}: not a directory`, directory);
  const names = (await readdir(directory)).filter(
    (name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()) && !name.startsWith('.'),
  );
  if (names.length === 0) throw new InputError(`${directory}: no .png, .jpg or .jpeg files`, directory);
  return names.sort().map((name) => join(directory, name));
}

/**
 * File-name stems made safe (letters, digits, `_`, `-`, `.` inside; no path separators, no
 * leading dot) and unique (`cat`, `cat_2`, …). The comparison ignores case, for case-insensitive
 * file systems.
 */
export function uniqueIds(stems: readonly string[]): string[] {
  const taken = new Set<string>();
  return stems.map((stem) => {
    const safe =
      stem
        .replace(/[^A-Za-z0-9_.-]+/g, '_')
        .replace(/^[._-]+/, '')
        // `-c<N>` is reserved for the per-class maps of --top-k (`cat-c3.npy`).
        .replace(/-c(\d+)$/, '_c$1')
        .slice(0, 100) || 'image';
    let id = safe;
    for (let n = 2; taken.has(id.toLowerCase()); n++) id = `${safe}_${n}`;
    taken.add(id.toLowerCase());
    return id;
  });
}
