/**
 * Holding out part of a training folder as the validation split, for trees without `test/`.
 *
 * Stratified: each class gives the same fraction of its images, so the validation split has the
 * training split's class balance and every class with two or more images is in both (a class
 * missing from validation would have no per-class accuracy; one missing from training could not
 * be learned). Seeded: the same listing, fraction and seed give the same split on every machine,
 * which is how `cam` finds the validation images of a model again.
 */
import { Random } from '../random.js';
import type { FolderFile } from './folder-listing.js';

export interface FolderSplit {
  train: FolderFile[];
  validation: FolderFile[];
}

/**
 * Splits `files` (a listing's train split) per class: round(fraction · n) images of a class of n
 * go to validation, at least one and at most n − 1 when n ≥ 2 (a class of one stays in training).
 * Which ones: the first of the class's images after a seeded Fisher-Yates shuffle (one generator,
 * classes in label order). Both results keep the listing's order.
 *
 * @param files     images with labels 0 … classCount − 1, in listing order.
 * @param fraction  in (0, 1).
 * @param seed      any uint32.
 * @throws RangeError for a fraction outside (0, 1) (a programming error: options are checked earlier).
 */
export function splitForValidation(
  files: readonly FolderFile[],
  classCount: number,
  fraction: number,
  seed: number,
): FolderSplit {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be in (0, 1), got ${fraction}`);
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  files.forEach((file, index) => byClass[file.label].push(index));
  const random = new Random(seed);
  const heldOut = new Uint8Array(files.length);
  for (const members of byClass) {
    if (members.length < 2) continue;
    const count = Math.min(members.length - 1, Math.max(1, Math.round(fraction * members.length)));
    const shuffled = random.shuffle([...members]);
    for (const index of shuffled.slice(0, count)) heldOut[index] = 1;
  }
  return {
    train: files.filter((_, index) => heldOut[index] === 0),
    validation: files.filter((_, index) => heldOut[index] === 1),
  };
}

/**
 * Round-robin across classes: the first file of every class (in label order), then the second of
 * every class that has one, and so on; each class keeps its own order. The first N images of a
 * split then cover the classes evenly, so "the first N" (a training limit, `cam --count N`) is a
 * fair sample rather than N images of the first class.
 */
export function interleaveByClass(files: readonly FolderFile[], classCount: number): FolderFile[] {
  const byClass: FolderFile[][] = Array.from({ length: classCount }, () => []);
  for (const file of files) byClass[file.label].push(file);
  const longest = Math.max(0, ...byClass.map((members) => members.length));
  const interleaved: FolderFile[] = [];
  for (let rank = 0; rank < longest; rank++) {
    for (const members of byClass) if (rank < members.length) interleaved.push(members[rank]);
  }
  return interleaved;
}
