/**
 * What a directory tree looks like on disk (every path with its type, size, mtime and inode), and
 * how two such pictures differ: the test for "the command created or changed nothing it was not
 * allowed to". Atomic writes replace a file by a rename, which gives it a new inode even when the
 * size and the mtime happen to match.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface EntryState {
  type: 'file' | 'directory' | 'other';
  size: number;
  mtimeNs: bigint;
  inode: bigint;
}

/** Relative path (with `/`) → state, for everything under `root` (not `root` itself). */
export type TreeSnapshot = Map<string, EntryState>;

export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  const snapshot: TreeSnapshot = new Map();
  const visit = async (directory: string): Promise<void> => {
    for (const name of await readdir(directory)) {
      const path = join(directory, name);
      const info = await lstat(path, { bigint: true });
      const type = info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'other';
      snapshot.set(relative(root, path).split(sep).join('/'), {
        type,
        size: Number(info.size),
        mtimeNs: info.mtimeNs,
        inode: info.ino,
      });
      if (type === 'directory') await visit(path);
    }
  };
  await visit(root);
  return snapshot;
}

export interface TreeChanges {
  created: string[];
  removed: string[];
  /** Type, size, mtime or inode differ (a directory's size and mtime change with its entries, so only its type counts). */
  modified: string[];
}

export function diffTrees(before: TreeSnapshot, after: TreeSnapshot): TreeChanges {
  const created = [...after.keys()].filter((path) => !before.has(path));
  const removed = [...before.keys()].filter((path) => !after.has(path));
  const modified = [...after.keys()].filter((path) => {
    const old = before.get(path);
    const now = after.get(path) as EntryState;
    if (!old) return false;
    if (old.type !== now.type) return true;
    if (now.type === 'directory') return false;
    return old.size !== now.size || old.mtimeNs !== now.mtimeNs || old.inode !== now.inode;
  });
  return { created: created.sort(), removed: removed.sort(), modified: modified.sort() };
}
