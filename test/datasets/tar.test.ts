import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readTarFiles } from '../../src/datasets/tar.js';
import { makeTempDir, removeDir } from './fixtures.js';

let temp: string;
beforeEach(async () => {
  temp = await makeTempDir('gradcam-tar-');
});
afterEach(async () => {
  await removeDir(temp);
});

// A path longer than ustar's 100-byte name field, so the prefix field / GNU 'L' / pax 'path'
// records are exercised depending on the format.
const longDirectory = `${'deep-folder-name-'.repeat(5)}end`;
const longName = `${'a-rather-long-file-name-'.repeat(3)}x.bin`;

async function writeTree(options: { longName: boolean }): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>([
    ['root/small.txt', new TextEncoder().encode('hello tar\n')],
    ['root/empty.bin', new Uint8Array(0)],
    // 512 bytes exactly (no padding) and 1025 bytes (padding to 1536).
    ['root/block.bin', Uint8Array.from({ length: 512 }, (_, i) => i % 251)],
    ['root/odd.bin', Uint8Array.from({ length: 1025 }, (_, i) => (i * 7) % 256)],
  ]);
  if (options.longName) {
    files.set(
      `root/${longDirectory}/${longName}`,
      Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) % 256),
    );
  }
  for (const [name, data] of files) {
    await mkdir(join(temp, name, '..'), { recursive: true });
    await writeFile(join(temp, name), data);
  }
  return files;
}

function tar(format: string): Uint8Array {
  // A plain Uint8Array, so .slice() below copies (Buffer's slice would alias).
  return new Uint8Array(execFileSync('tar', [`--format=${format}`, '-cf', '-', '-C', temp, 'root']));
}

describe('readTarFiles', () => {
  it.each(['gnu', 'ustar', 'pax', 'v7'])(
    'lists the regular files of a GNU tar %s archive with their bytes',
    async (format) => {
      // v7 cannot store a name over 99 bytes.
      const files = await writeTree({ longName: format !== 'v7' });
      const entries = readTarFiles(tar(format), 'test.tar');
      expect(new Set(entries.map((entry) => entry.name))).toEqual(new Set(files.keys()));
      for (const entry of entries) expect(Array.from(entry.data)).toEqual(Array.from(files.get(entry.name)!));
    },
  );

  it('rejects a corrupted header and a truncated member with the archive name', async () => {
    await writeTree({ longName: true });
    const archive = tar('gnu');
    const corrupted = archive.slice();
    corrupted[10] ^= 0xff;
    expect(() => readTarFiles(corrupted, 'broken.tar')).toThrow(InputError);
    expect(() => readTarFiles(corrupted, 'broken.tar')).toThrow(
      /^broken\.tar: not a valid tar archive \(bad header checksum at byte 0\)$/,
    );
    // Cut inside the data of the 3000-byte member: its header promises more than is there.
    const entries = readTarFiles(archive, 'ok.tar');
    const long = entries.find((entry) => entry.name.endsWith(longName))!;
    const cut = archive.slice(0, long.data.byteOffset + 100);
    expect(() => readTarFiles(cut, 'cut.tar')).toThrow(/^cut\.tar: truncated tar archive/);
  });

  it('returns nothing for an all-zero end-of-archive block', () => {
    expect(readTarFiles(new Uint8Array(1024), 'blank.tar')).toEqual([]);
  });
});
