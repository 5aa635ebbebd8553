/**
 * Your own images through the real launcher: an ImageFolder tree of PNG and JPEG (with bad files
 * among them) → train with a validation split → report.html (opened in Chromium) → cam on the
 * validation split, true labels recorded → render. And a run that fails writing its output (a
 * full disk, a file-size limit) leaves no --out behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImages, describeInBrowser } from '../helpers/browser.js';
import { checkNesting } from '../helpers/html.js';
import { LAUNCHER, runCli } from '../helpers/run-cli.js';
import { writeSyntheticFolder } from '../helpers/synthetic-data.js';

const CLASSES = ['bird', 'Cat', 'dog'];
const PER_CLASS = 16;

let root: string;
let data: string;
let model: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-folder-e2e-'));
  data = join(root, 'photos');
  model = join(root, 'model');
  await writeSyntheticFolder(data, CLASSES, { train: PER_CLASS }, 24);
  // Bad files among the good ones, and files that are not images at all.
  await writeFile(
    join(data, 'train', 'dog', 'truncated.png'),
    (await readFile(join(data, 'train', 'dog', '000.png'))).subarray(0, 60),
  );
  await writeFile(join(data, 'train', 'Cat', 'empty.jpg'), '');
  await writeFile(join(data, 'train', 'Cat', 'notes.txt'), 'not an image');
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Training arguments for a tiny, fast run on `dataDir`. */
const trainArgs = (dataDir: string, out: string) => [
  'train',
  '--dataset',
  'folder',
  '--data',
  dataDir,
  '--val-split',
  '0.25',
  '--input-size',
  '16x16',
  '--epochs',
  '2',
  '--width',
  '0.125',
  '--batch-size',
  '8',
  '--seed',
  '5',
  '--out',
  out,
];

describe('gradcam train → cam → render on a folder of images', () => {
  it('trains with a stratified validation split, skipping bad files with one warning each', async () => {
    const result = await runCli([...trainArgs(data, model), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('warning'));
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^gradcam: warning: ${join(data, 'train', 'Cat', 'empty.jpg')}: empty file; expected a PNG or JPEG image; skipped$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^gradcam: warning: ${join(data, 'train', 'dog', 'truncated.png')}: .*PNG.*; skipped$`),
      ),
      'gradcam: warning: 2 file(s) could not be decoded and were skipped',
    ]);
    expect(result.stderr).toContain(
      `gradcam: 1 file(s) in ${data} are not .png/.jpg/.jpeg inside a class folder; ignored`,
    );
    // 16 good + 1 bad file per class for Cat and dog: round(0.25 · 17) = 4 held out of each, 4 of bird's 16.
    const summary = JSON.parse(result.stdout);
    expect(summary.testImages + summary.trainImages).toBe(3 * PER_CLASS);
    const metadata = JSON.parse(await readFile(join(model, 'gradcam.json'), 'utf8'));
    expect(metadata).toMatchObject({ dataset: 'folder', classNames: CLASSES.slice().sort(), inputShape: [16, 16, 3] });
    expect(metadata.training).toMatchObject({
      valSplit: 0.25,
      seed: 5,
      augment: true,
      trainImages: summary.trainImages,
      testImages: summary.testImages,
    });
    expect((await readdir(model)).sort()).toEqual(['gradcam.json', 'model.json', 'report.html', 'weights.bin']);
  });

  it('writes report.html: curves, per-class scores, confusion matrix and Grad-CAM examples of each class', async () => {
    const html = await readFile(join(model, 'report.html'), 'utf8');
    checkNesting(html);
    expect([...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1])).toEqual([
      'summary',
      'curves',
      'classes',
      'confusion',
      'examples',
      'settings',
    ]);
    expect(html).toMatch(/Accuracy on the 1[12] validation images/);
    // Confusion matrix: one row per class, its counts summing to the validation images.
    const rows = [...html.matchAll(/<tr><th class="true" scope="row">([^<]*)<\/th>(.*?)<\/tr>/g)];
    expect(rows.map((row) => row[1])).toEqual(['Cat', 'bird', 'dog']);
    const total = rows
      .flatMap((row) => [...row[2].matchAll(/>(\d+)<\/td>/g)].map((m) => Number(m[1])))
      .reduce((a, b) => a + b, 0);
    const metadata = JSON.parse(await readFile(join(model, 'gradcam.json'), 'utf8'));
    expect(total).toBe(metadata.training.testImages);
    // Three examples per class (three classes), each an input and a Grad-CAM blend, captioned with the file.
    expect(html.match(/<figure/g)).toHaveLength(9);
    expect(html.match(/<img /g)).toHaveLength(18);
    expect(html).toMatch(/validation #\d+ \((Cat|bird|dog)\/\d{3}\.(png|jpg)\): true (Cat|bird|dog)/);
  });

  it('cam explains the validation split and records each true label; render draws it', async () => {
    const out = join(root, 'maps');
    const result = await runCli([
      'cam',
      '--model',
      model,
      '--dataset',
      'folder',
      '--data',
      data,
      '--count',
      '6',
      '--out',
      out,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const manifest = JSON.parse(result.stdout);
    expect(manifest.entries.map((entry: { id: string }) => entry.id)).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `validation_0000${i}`),
    );
    for (const entry of manifest.entries) {
      // The label is the class folder the file is in; the first images cover every class in turn.
      expect(entry.label.name).toBe(basename(dirname(entry.source)));
      expect(entry.label.index).toBe(CLASSES.slice().sort().indexOf(entry.label.name));
      expect(dirname(dirname(entry.source))).toBe(join(data, 'train'));
    }
    expect(manifest.entries.map((entry: { label: { index: number } }) => entry.label.index)).toEqual([
      0, 1, 2, 0, 1, 2,
    ]);
    // The held-out images are not among what the model trained on: the same split, found again.
    const again = await runCli([
      'cam',
      '--model',
      model,
      '--dataset',
      'folder',
      '--data',
      data,
      '--index',
      '5',
      '--out',
      join(root, 'one'),
      '--json',
    ]);
    expect(JSON.parse(again.stdout).entries[0].source).toBe(manifest.entries[5].source);

    const rendered = await runCli(['render', '--cam', out, '--scale', '2']);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect((await readdir(out)).filter((name) => name.startsWith('blend_'))).toHaveLength(6);
  });
});

describeInBrowser('the training report of a folder model in Chromium', (session) => {
  it('opens without console errors or failed requests, and every image loads', async () => {
    const opened = await session().open(join(model, 'report.html'));
    try {
      expect(await checkImages(opened.page)).toEqual({ total: 18, displayed: 18, broken: [] });
      const charts = await opened.page.evaluate(() => document.querySelectorAll('#curves svg polyline').length);
      expect(charts).toBe(4); // loss and accuracy, training and validation
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

/**
 * Runs `gradcam train` in a private mount namespace with a 3 MB tmpfs at `mountPoint`, as an
 * unprivileged user can (`unshare --user --map-root-user`), and lists what the run left there
 * before the namespace (and the tmpfs) goes away. Undefined when this system cannot mount one.
 */
function trainOnTinyTmpfs(
  mountPoint: string,
  args: string[],
): { code: number; stderr: string; left: string[] } | undefined {
  const script =
    'mount -t tmpfs -o size=3m tmpfs "$0" || exit 99; "$@" 2>&1; code=$?; echo "--- left:"; ls -A "$0"; exit $code';
  const run = spawnSync(
    'unshare',
    ['--user', '--map-root-user', '--mount', 'sh', '-c', script, mountPoint, process.execPath, LAUNCHER, ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, GRADCAM_BACKEND: 'wasm' },
    },
  );
  if (run.error || run.status === 99) return undefined;
  const [stderr, left = ''] = run.stdout.split('--- left:\n');
  return { code: run.status ?? -1, stderr, left: left.split('\n').filter((name) => name !== '') };
}

function canMountTmpfs(): boolean {
  try {
    execFileSync(
      'unshare',
      ['--user', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs "$0"', tmpdir()],
      { stdio: 'ignore' },
    );
    return true;
  } catch {
    return false;
  }
}

function hasPrlimit(): boolean {
  return spawnSync('prlimit', ['--version']).status === 0;
}

describe('a run that fails writing its output leaves no --out behind', () => {
  const tmpfs = canMountTmpfs();
  // Reported as skipped (with this name) where unprivileged mount namespaces are disabled.
  it.skipIf(!tmpfs)(
    'on a full disk (a 3 MB tmpfs, real ENOSPC): exit 1, one error line, the empty --out removed',
    async () => {
      const mountPoint = join(root, 'tmpfs');
      await mkdir(mountPoint);
      const result = trainOnTinyTmpfs(mountPoint, [...trainArgs(data, join(mountPoint, 'model')), '--epochs', '1']);
      expect(result).toBeDefined();
      const { code, stderr, left } = result as NonNullable<typeof result>;
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(
        new RegExp(
          `^gradcam: error: cannot write checkpoint in ${join(mountPoint, 'model')} \\(ENOSPC: no space left on device`,
          'm',
        ),
      );
      expect(stderr).toContain(`gradcam: removed ${join(mountPoint, 'model')}, which this failed run had created`);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(left).toEqual([]);
    },
  );

  it.skipIf(!hasPrlimit())(
    'over a file-size limit (EFBIG from prlimit --fsize): the same, without root or namespaces',
    async () => {
      const parent = join(root, 'limited');
      await mkdir(parent);
      const out = join(parent, 'model');
      // 1 MB: the weights (about 0.9 million float32 values at this width and input size) cannot be written.
      const run = spawnSync(
        'prlimit',
        ['--fsize=1000000', process.execPath, LAUNCHER, ...trainArgs(data, out), '--epochs', '1'],
        {
          encoding: 'utf8',
          env: { ...process.env, GRADCAM_BACKEND: 'wasm' },
        },
      );
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(`^gradcam: error: cannot write checkpoint in ${out} \\(EFBIG: file too large`, 'm'),
      );
      expect(await readdir(parent)).toEqual([]);
    },
  );
});
