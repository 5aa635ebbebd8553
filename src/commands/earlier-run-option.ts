/**
 * The output folder rule `cam` and `render` share: an --out that holds another run is refused
 * with one line, and --force removes only what gradcam wrote there (cam-output/earlier-run.ts).
 * One wording for both commands.
 */
import { removeFromFolder, type FolderContents } from '../cam-output/earlier-run.js';
import { InputError } from '../errors.js';
import type { Log } from '../log.js';

/**
 * The refusal for `out`: it holds the output of the runs whose `manifests` are named, or, when
 * none is, files gradcam did not write.
 */
export function heldRunError(out: string, manifests: readonly string[], contents: FolderContents): InputError {
  const what =
    manifests.length > 0
      ? `the output of an earlier run (${manifests.join(', ')})`
      : `${contents.other.length} file(s) gradcam did not write (${contents.other[0]}, …)`;
  return new InputError(
    `--out ${out}: holds ${what}; use --force to remove what gradcam wrote there, or another --out`,
  );
}

/**
 * --force: removes `names` (files an earlier run wrote) from `out` and says so, with the `kept`
 * others; silent when there was nothing to remove (a folder of the user's files only).
 */
export async function removeEarlierRun(out: string, names: readonly string[], kept: number, log: Log): Promise<void> {
  if (names.length === 0) return;
  await removeFromFolder(out, names);
  log.info(
    `--force: removed ${names.length} file(s) an earlier run wrote in ${out}` +
      (kept > 0 ? `; kept ${kept} other file(s)` : ''),
  );
}
