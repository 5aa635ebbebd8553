#!/usr/bin/env node
/**
 * Per-kernel profile of one training step (forward + backward + update: the training loop's own
 * trainStep) at the recipe's batch size, on the current backend: where a step's time goes. Prints
 * one JSON object per kernel (sorted by total time) and a summary on stdout.
 *
 *   node bench/profile.mjs [--recipe cifar10|mnist|full] [--width X] [--backend wasm] [--threads N] [--steps 3]
 *
 * cifar10 / mnist: the default recipe of `gradcam train --dataset <name>` (its batch, optimizer,
 * dropout, smoothing and decay); full: the full-width net without batch norm, SGD-momentum. --width overrides the width.
 */
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    recipe: { type: 'string', default: 'cifar10' },
    width: { type: 'string' },
    backend: { type: 'string', default: process.env.GRADCAM_BACKEND ?? 'auto' },
    threads: { type: 'string' },
    steps: { type: 'string', default: '3' },
  },
});
const tf = await import('@tensorflow/tfjs');
const { initBackend } = await import('../dist/backend/index.js');
const { buildVgg, poolsForInput } = await import('../dist/models/vgg.js');
const { createOptimizer, trainStep } = await import('../dist/models/training.js');
const { TRAINING_DEFAULTS } = await import('../dist/commands/train-options.js');
const { fillBatch } = await import('../dist/datasets/batches.js');
const { Random } = await import('../dist/random.js');

const log = (m) => process.stderr.write(`profile: ${m}\n`);
const backend = await initBackend(
  args.backend,
  { info: log, warn: log },
  args.threads ? Number(args.threads) : undefined,
);
const recipes = {
  cifar10: { ...TRAINING_DEFAULTS.cifar10, side: 32, channels: 3 },
  mnist: { ...TRAINING_DEFAULTS.mnist, side: 28, channels: 1 },
  full: {
    width: 1,
    batchNorm: false,
    batchSize: 64,
    dropout: 0.5,
    labelSmoothing: 0,
    weightDecay: 0,
    optimizer: 'sgd',
    learningRate: 0.01,
    side: 32,
    channels: 3,
  },
};
const recipe = recipes[args.recipe];
if (!recipe) throw new Error(`--recipe: expected one of ${Object.keys(recipes).join(', ')}`);
const width = args.width === undefined ? recipe.width : Number(args.width);
const { side, channels } = recipe;
const model = buildVgg({
  inputShape: [side, side, channels],
  classes: 10,
  width,
  batchNorm: recipe.batchNorm,
  dropout: recipe.dropout,
  poolAfter: poolsForInput(side, side),
  seed: 1,
});
const optimizer = createOptimizer(recipe.optimizer, recipe.learningRate);
const variables = model.trainableWeights.map((w) => w.read());
const count = recipe.batchSize ?? 64;
const set = {
  images: new Uint8Array(count * side * side * channels).map((_, i) => (i * 2654435761) >>> 24),
  labels: new Uint8Array(count).map((_, i) => i % 10),
  count,
  height: side,
  width: side,
  channels,
};
const normalization = { mean: Array(channels).fill(0.5), std: Array(channels).fill(0.25) };
const random = new Random(1);
const indices = Int32Array.from({ length: count }, (_, i) => i);

function step() {
  const batch = fillBatch(set, indices, normalization, args.recipe === 'mnist' ? undefined : random);
  // The training loop's own step: label smoothing and weight decay as the recipe sets them.
  trainStep(model, optimizer, variables, batch, {
    classes: 10,
    dropoutSeed: 1,
    labelSmoothing: recipe.labelSmoothing,
    weightDecay: recipe.weightDecay,
  });
}

step(); // warm-up: XNNPACK operator creation, buffer growth
const totals = new Map();
let wall = 0;
const steps = Number(args.steps);
for (let i = 0; i < steps; i++) {
  const started = performance.now();
  const profile = await tf.profile(() => step());
  wall += performance.now() - started;
  for (const kernel of profile.kernels) {
    const entry = totals.get(kernel.name) ?? { kernel: kernel.name, ms: 0, calls: 0 };
    entry.ms += Number(kernel.kernelTimeMs) || 0;
    entry.calls += 1;
    totals.set(kernel.name, entry);
  }
}
const rows = [...totals.values()].sort((a, b) => b.ms - a.ms);
const kernelMs = rows.reduce((sum, row) => sum + row.ms, 0);
for (const row of rows) {
  process.stdout.write(
    `${JSON.stringify({ kernel: row.kernel, msPerStep: Number((row.ms / steps).toFixed(2)), callsPerStep: row.calls / steps, share: Number((row.ms / kernelMs).toFixed(3)) })}\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({ summary: true, backend: backend.description, recipe: args.recipe, width, batch: count, wallMsPerStep: Number((wall / steps).toFixed(1)), kernelMsPerStep: Number((kernelMs / steps).toFixed(1)), imagesPerSecondUnderProfiler: Number(((count * steps) / (wall / 1000)).toFixed(1)) })}\n`,
);
