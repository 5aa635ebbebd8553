#!/usr/bin/env node
/**
 * Time to accuracy of the default CIFAR-10 recipe: `gradcam train --dataset cifar10 --data DIR` with
 * no other training option, then its PyTorch peer (bench/peer_time_to_accuracy.py: same network,
 * recipe, data and per-epoch test pass). Prints one JSON line per epoch of each (wall seconds since
 * the start, test accuracy) and a summary of each run (wall and CPU seconds, peak RSS; gradcam's
 * final accuracy is read from the gradcam.json of the model it saved). Progress goes to stderr.
 * Run it on an idle machine: it takes about an hour (two 30-minute trainings).
 *
 *   node bench/time-to-accuracy.mjs --data DIR [--out DIR] [--peer-threads 2] [--gradcam-only]
 *
 * DIR: the CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin), e.g. the 50,000 training
 * images and the real test set, or the 40,000 / 10,000 held-out split of ../shared/data (its README.md).
 * --peer-threads: comma-separated PyTorch thread counts, one peer run each (default 2).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    'peer-threads': { type: 'string', default: '2' },
    'gradcam-only': { type: 'boolean', default: false },
  },
});
const log = (message) => process.stderr.write(`time-to-accuracy: ${message}\n`);
const files = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
if (args.data === undefined || ![...files, 'test_batch.bin'].every((f) => existsSync(join(args.data, f)))) {
  log(
    `--data ${args.data ?? 'DIR'}: expected the CIFAR-10 binary version there (data_batch_1..5.bin and test_batch.bin); see ../shared/data/README.md`,
  );
  process.exit(2);
}
const data = resolve(args.data);
const out = resolve(args.out ?? join(await mkdtemp(join(tmpdir(), 'gradcam-tta-')), 'model'));
const { TRAINING_DEFAULTS } = await import('../dist/commands/train-options.js');
const print = (record) => process.stdout.write(`${JSON.stringify(record)}\n`);

await runGradcam();
if (!args['gradcam-only']) for (const threads of args['peer-threads'].split(',')) runPeer(threads);

/** The default run, timed from the spawn (start-up, data loading and every test pass included). */
async function runGradcam() {
  const argv = ['train', '--dataset', 'cifar10', '--data', data, '--out', out, '--force'];
  log(`gradcam ${argv.join(' ')}`);
  // /usr/bin/time reports the child's CPU seconds and peak RSS on the last line of stderr.
  const child = spawn(
    '/usr/bin/time',
    ['-f', 'time: %U %S %M', process.execPath, join(root, 'bin', 'gradcam.js'), ...argv],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const started = performance.now();
  let usage;
  for await (const line of createInterface({ input: child.stderr })) {
    const epoch = /^epoch (\d+)\/\d+: .*test accuracy ([\d.]+)%/.exec(line);
    const time = /^time: ([\d.]+) ([\d.]+) (\d+)$/.exec(line);
    if (epoch) {
      const wallSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
      print({ system: 'gradcam', epoch: Number(epoch[1]), wallSeconds, testAccuracy: Number(epoch[2]) / 100 });
    } else if (time) usage = time;
    else log(line);
  }
  const code = await new Promise((done) => (child.exitCode === null ? child.on('exit', done) : done(child.exitCode)));
  const wallSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  if (code !== 0) {
    log(`gradcam train exited with ${code}`);
    process.exit(1);
  }
  const metadata = JSON.parse(await readFile(join(out, 'gradcam.json'), 'utf8'));
  print({
    system: 'gradcam',
    summary: true,
    command: `gradcam ${argv.join(' ')}`,
    wallSeconds,
    cpuSeconds: usage ? Number((Number(usage[1]) + Number(usage[2])).toFixed(1)) : null,
    peakRssMB: usage ? Math.round(Number(usage[3]) / 1024) : null,
    savedModelTestAccuracy: metadata.testAccuracy,
    trainImages: metadata.training.trainImages,
    testImages: metadata.training.testImages,
    training: metadata.training,
  });
}

/** The PyTorch peer with `threads` threads on the same data and recipe. */
function runPeer(threads) {
  const recipe = JSON.stringify(TRAINING_DEFAULTS.cifar10);
  const argv = [join(root, 'bench', 'peer_time_to_accuracy.py'), data, threads, recipe];
  log(`/usr/bin/python3 ${argv.join(' ')}`);
  const started = performance.now();
  try {
    execFileSync('/usr/bin/python3', argv, { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    log(
      `the PyTorch peer failed: ${error.message.split('\n')[0]}; install PyTorch with apt-get install -y python3-torch`,
    );
    return;
  }
  print({
    system: 'pytorch',
    summary: true,
    threads: Number(threads),
    processWallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  });
}
