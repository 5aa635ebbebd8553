/**
 * Output directories of `cam` and `render`: checked before any work starts, created only when
 * the first file is about to be written, so a run that fails on its inputs leaves nothing behind
 * (not even an empty directory).
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';

/**
 * Refuses an output directory that can never be created: `path` exists and is not a directory,
 * or its nearest existing ancestor is not a directory (e.g. `--out notes.txt/maps`). Creates
 * nothing. `option` (`--out`, `--grid`'s folder, …) names the culprit in the message.
 *
 * @param path absolute path of the directory to be.
 * @throws InputError (one line, `${option} ${path}: …`).
 */
export async function checkOutputDirectory(path: string, option: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing) {
    if (!existing.isDirectory()) throw new InputError(`${option} ${path}: exists and is not a directory`);
    return;
  }
  for (let ancestor = dirname(path); ; ancestor = dirname(ancestor)) {
    const info = await stat(ancestor).catch(() => undefined);
    if (info) {
      if (!info.isDirectory()) throw new InputError(`${option} ${path}: cannot create it, ${ancestor} is a file`);
      return;
    }
    if (dirname(ancestor) === ancestor) return;
  }
}

/**
 * Creates `path` (and missing parents) if needed; call right before the first write.
 * @throws InputError naming `option` and `path` when it cannot be created.
 */
export async function createOutputDirectory(path: string, option: string): Promise<void> {
  await checkOutputDirectory(path, option);
  await mkdir(path, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${option} ${path}: cannot create (${error.code ?? error.message})`);
  });
}
