import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutputDirectory, createOutputDirectory } from '../../src/io/output-directory.js';
import { InputError } from '../../src/errors.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-outdir-'));
  await writeFile(join(root, 'notes.txt'), 'x');
  await mkdir(join(root, 'existing'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('checkOutputDirectory', () => {
  it('accepts an existing directory and a path whose nearest existing ancestor is a directory, creating nothing', async () => {
    await checkOutputDirectory(join(root, 'existing'));
    await checkOutputDirectory(join(root, 'new', 'deeper'));
    expect((await readdir(root)).sort()).toEqual(['existing', 'notes.txt']);
  });

  it('refuses a file, and a path below a file (which not even root can create)', async () => {
    const file = join(root, 'notes.txt');
    await expect(checkOutputDirectory(file)).rejects.toThrow(
      new InputError(`${file}: exists and is not a directory`, file),
    );
    await expect(checkOutputDirectory(join(file, 'a', 'b'))).rejects.toThrow(
      new InputError(`${join(file, 'a', 'b')}: cannot create it, ${file} is a file`, join(file, 'a', 'b')),
    );
  });
});

describe('createOutputDirectory', () => {
  it('creates missing parents, and is idempotent', async () => {
    const target = join(root, 'made', 'here');
    await createOutputDirectory(target);
    await createOutputDirectory(target);
    expect((await stat(target)).isDirectory()).toBe(true);
  });

  it('names the option when it cannot create the directory', async () => {
    await expect(createOutputDirectory(join(root, 'notes.txt', 'x'))).rejects.toThrow(
      /^\/.*notes\.txt\/x: cannot create it/,
    );
  });
});
