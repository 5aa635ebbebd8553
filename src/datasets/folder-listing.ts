/**
 * The ImageFolder layout that torchvision's `ImageFolder` and Keras'
 * `image_dataset_from_directory` read: `ROOT/train/<class>/**` and, optionally,
 * `ROOT/test/<class>/**`. This module only lists files and names classes; decoding is
 * folder-dataset.ts's job.
 *
 * As torchvision does: class names are the sub-folder names of `train/`, sorted by code point
 * (Python's `sorted`), class index = position in that list; each class folder is walked
 * recursively (symbolic links followed), directories in sorted order and the files of each
 * directory sorted by name; a file is a candidate by its extension, case-insensitive.
 * Unlike torchvision, names starting with a dot are skipped (macOS leaves `._photo.jpg` resource
 * forks beside every photo on foreign file systems) and only PNG and JPEG are read.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InputError, InvalidValueError } from '../errors.js';

/** Extensions read, lower case (compared case-insensitively). */
export const FOLDER_IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

/**
 * At most this many classes: labels are stored as bytes (image-set.ts). Far beyond what a
 * VGG-11 trains on in reasonable time on a CPU.
 */
export const MAX_FOLDER_CLASSES = 256;

export interface FolderFile {
  path: string;
  /** Index into the listing's class names. */
  label: number;
}

export interface FolderListing {
  root: string;
  /** Sub-folders of `train/`, sorted by code point. */
  classNames: string[];
  /** `train/` images in torchvision's order: by class, then directory, then file name. */
  train: FolderFile[];
  /** `test/` images labelled by the train class names; undefined when there is no `test/` folder. */
  test: FolderFile[] | undefined;
  /** Files in the tree that were not listed: other extensions, or outside a class folder. */
  ignoredFiles: number;
}

/** Compares by Unicode code point, as Python's `sorted` does (JavaScript's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i].codePointAt(0) as number) - (right[i].codePointAt(0) as number);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/**
 * Lists `root`'s ImageFolder tree. With `testOnly` (cam and eval read only test images), a tree
 * without train/ is accepted: its classes are then test/'s class folders, sorted the same way.
 *
 * @throws InputError when `root` or `root/train` (or, with testOnly and no train/, `root/test`) is
 *         not a readable directory, or `test/` has a class folder that `train/` lacks (its labels
 *         would mean nothing to the model).
 * @throws InvalidValueError when `train/` has fewer than two class folders, more than
 *         MAX_FOLDER_CLASSES, or a class folder without any PNG or JPEG file.
 */
export async function listImageFolder(root: string, options: { testOnly?: boolean } = {}): Promise<FolderListing> {
  await requireDirectory(root, 'expected a folder holding train/<class>/ (and optionally test/<class>/)');
  const trainRoot = join(root, 'train');
  const testRoot = join(root, 'test');
  const ignored = { count: 0 };
  if (options.testOnly && !(await exists(trainRoot)) && (await exists(testRoot))) {
    const classNames = await classFolders(testRoot, ignored, 1);
    const test = await listSplit(testRoot, classNames, classNames, ignored, false);
    if (test.length === 0) throw new InvalidValueError(`${testRoot}: no PNG or JPEG images in its class folders`);
    return { root, classNames, train: [], test, ignoredFiles: ignored.count };
  }
  await requireDirectory(trainRoot, 'expected train/<class>/ folders of PNG or JPEG images');
  const classNames = await classFolders(trainRoot, ignored, 2);
  const train = await listSplit(trainRoot, classNames, classNames, ignored, true);

  let test: FolderFile[] | undefined;
  if (await exists(testRoot)) {
    await requireDirectory(testRoot, 'expected test/<class>/ folders of PNG or JPEG images');
    const testClasses = (await subdirectories(testRoot, ignored)).sort(compareCodePoints);
    const unknown = testClasses.filter((name) => !classNames.includes(name));
    if (unknown.length > 0) {
      throw new InputError(
        `${join(testRoot, unknown[0])}: class folder not in ${trainRoot} (its classes: ${classNames.join(', ')}); test classes must be training classes`,
      );
    }
    test = await listSplit(testRoot, testClasses, classNames, ignored, false);
    if (test.length === 0) throw new InvalidValueError(`${testRoot}: no PNG or JPEG images in its class folders`);
  }
  return { root, classNames, train, test, ignoredFiles: ignored.count };
}

/** The class folders of a split, sorted; a training split needs two, test images alone one. */
async function classFolders(splitRoot: string, ignored: { count: number }, atLeast: 1 | 2): Promise<string[]> {
  await requireDirectory(splitRoot, 'expected <class>/ folders of PNG or JPEG images');
  const classNames = (await subdirectories(splitRoot, ignored)).sort(compareCodePoints);
  if (classNames.length < atLeast) {
    const found = classNames.length === 0 ? 'no class folders' : `only one class folder (${classNames[0]})`;
    throw new InvalidValueError(
      `${splitRoot}: ${found}; expected one folder of images per class, at least ${atLeast === 2 ? 'two classes' : 'one'}`,
    );
  }
  if (classNames.length > MAX_FOLDER_CLASSES) {
    throw new InvalidValueError(
      `${splitRoot}: ${classNames.length} class folders; at most ${MAX_FOLDER_CLASSES} are supported`,
    );
  }
  return classNames;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/**
 * The files of each class folder of `splitRoot`, labelled by their index in `classNames`.
 * `everyClassNeeded`: an empty class folder is refused (in train/, a class the model could never
 * learn; torchvision refuses it too); in test/ it only means no test images of that class.
 */
async function listSplit(
  splitRoot: string,
  folders: readonly string[],
  classNames: readonly string[],
  ignored: { count: number },
  everyClassNeeded: boolean,
): Promise<FolderFile[]> {
  const files: FolderFile[] = [];
  for (const folder of folders) {
    const label = classNames.indexOf(folder);
    const paths = await imagesUnder(join(splitRoot, folder), ignored);
    if (paths.length === 0 && everyClassNeeded) {
      throw new InvalidValueError(`${join(splitRoot, folder)}: no PNG or JPEG images; every class folder needs some`);
    }
    for (const path of paths) files.push({ path, label });
  }
  return files;
}

/**
 * Image files under `directory`, recursively: directories in sorted order, each one's files
 * sorted by name (torchvision sorts `os.walk`'s tuples, then the names in each).
 */
async function imagesUnder(directory: string, ignored: { count: number }): Promise<string[]> {
  const byDirectory = new Map<string, string[]>();
  const visited = new Set<string>();
  const walk = async (current: string): Promise<void> => {
    // A symbolic link back up the tree would otherwise loop forever.
    const real = await realpath(current).catch(() => current);
    if (visited.has(real)) return;
    visited.add(real);
    const names: string[] = [];
    for (const entry of await readEntries(current)) {
      if (entry.name.startsWith('.')) continue;
      const path = join(current, entry.name);
      const kind = await entryKind(entry, path);
      if (kind === 'directory') await walk(path);
      else if (kind === 'file' && FOLDER_IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase()))
        names.push(entry.name);
      else ignored.count++;
    }
    byDirectory.set(current, names.sort(compareCodePoints));
  };
  await walk(directory);
  return [...byDirectory.keys()]
    .sort(compareCodePoints)
    .flatMap((dir) => (byDirectory.get(dir) as string[]).map((name) => join(dir, name)));
}

/** Names of the directories in `directory` (following links); other entries are counted as ignored. */
async function subdirectories(directory: string, ignored: { count: number }): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readEntries(directory)) {
    if (entry.name.startsWith('.')) continue;
    if ((await entryKind(entry, join(directory, entry.name))) === 'directory') names.push(entry.name);
    else ignored.count++;
  }
  return names;
}

/** A directory entry's kind, following symbolic links; a dangling link is 'other'. */
async function entryKind(entry: Dirent, path: string): Promise<'directory' | 'file' | 'other'> {
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  const target = await stat(path).catch(() => undefined);
  if (target?.isDirectory()) return 'directory';
  return target?.isFile() ? 'file' : 'other';
}

async function readEntries(directory: string): Promise<Dirent[]> {
  try {
    return await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new InputError(`${directory}: cannot list (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Whether `root` has a test/ entry (train/ alone needs a validation split). */
export async function hasTestFolder(root: string): Promise<boolean> {
  return (await stat(join(root, 'test')).catch(() => undefined)) !== undefined;
}

async function requireDirectory(path: string, expected: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError(`${path}: no such directory; ${expected}`);
  if (!info.isDirectory()) throw new InputError(`${path}: not a directory; ${expected}`);
}
