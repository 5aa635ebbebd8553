/**
 * Where outputs go, checked before any work starts so a typo does not cost a whole run. Output
 * directories are created only when the first file is about to be written, so a run that fails on
 * every file it reads leaves nothing behind (not even an empty directory). Errors name the path (subject).
 */
import { access, constants, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError, fsReasonOf } from '../errors.js';
import { statIfExists } from './read-files.js';

/**
 * Refuses an output directory that can never be created: `path` exists and is not a directory,
 * or its nearest existing ancestor is not a directory (e.g. `notes.txt/maps`). Creates nothing.
 *
 * @param path absolute path of the directory to be.
 * @throws InputError (one line, `${path}: …`, subject `path`).
 */
export async function checkOutputDirectory(path: string): Promise<void> {
  const existing = await statIfExists(path);
  if (existing) {
    if (!existing.isDirectory()) throw new InputError(`${path}: exists and is not a directory`, path);
    return;
  }
  for (let ancestor = dirname(path); ; ancestor = dirname(ancestor)) {
    const info = await statIfExists(ancestor);
    if (info) {
      if (!info.isDirectory()) throw new InputError(`${path}: cannot create it, ${ancestor} is a file`, path);
      return;
    }
    if (dirname(ancestor) === ancestor) return;
  }
}

/**
 * Creates `path` (and missing parents) if needed; call right before the first write.
 * @throws InputError naming `path` when it cannot be created.
 */
export async function createOutputDirectory(path: string): Promise<void> {
  await checkOutputDirectory(path);
  await mkdir(path, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${path}: cannot create (${fsReasonOf(error)})`, path);
  });
}

/**
 * A file (or directory) to be made at `path`: its directory exists, is a directory and, with
 * `writable`, can be written to. `path` itself must not be an existing directory when
 * `expected` names the file wanted ("a .png file name"). `parentMayBeMissing`: the caller creates it.
 */
export async function checkOutputFile(
  path: string,
  options: { expected?: string; writable?: boolean; parentMayBeMissing?: boolean } = {},
): Promise<void> {
  const existing = await statIfExists(path);
  if (options.expected && existing?.isDirectory())
    throw new InputError(`${path}: is a directory; expected ${options.expected}`, path);
  if (options.parentMayBeMissing) return;
  const parent = dirname(path);
  const parentStat = await statIfExists(parent);
  if (!parentStat) throw new InputError(`${path}: directory ${parent} does not exist`, path);
  if (!parentStat.isDirectory()) throw new InputError(`${path}: ${parent} is not a directory`, path);
  if (options.writable) {
    await access(parent, constants.W_OK).catch(() => {
      throw new InputError(`${path}: directory ${parent} is not writable`, path);
    });
  }
}
