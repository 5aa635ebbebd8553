#!/usr/bin/env node
/**
 * Per-kernel profile of one training step (forward + backward + SGD-momentum update) of the
 * VGG-11-style CIFAR-10 model, batch 64, on the current backend: where a step's time goes.
 * Prints one JSON object per kernel (sorted by total time) and a summary on stdout.
 *
 *   node bench/profile.mjs [--width 1] [--backend wasm] [--threads N] [--steps 3]
 */
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    width: { type: 'string', default: '1' },
    backend: { type: 'string', default: process.env.GRADCAM_BACKEND ?? 'auto' },
    threads: { type: 'string' },
    steps: { type: 'string', default: '3' },
  },
});
const tf = await import('@tensorflow/tfjs');
const { initBackend } = await import('../dist/backend/index.js');
const { buildVgg, poolsForInput } = await import('../dist/models/vgg.js');
const { computeLogits } = await import('../dist/models/forward.js');
const { createOptimizer } = await import('../dist/models/training.js');
const { fillBatch } = await import('../dist/data/batches.js');
const { Random } = await import('../dist/random.js');

const log = (m) => process.stderr.write(`profile: ${m}\n`);
const backend = await initBackend(args.backend, { info: log, warn: log }, args.threads ? Number(args.threads) : undefined);
const width = Number(args.width);
const model = buildVgg({ inputShape: [32, 32, 3], classes: 10, width, batchNorm: false, poolAfter: poolsForInput(32, 32), seed: 1 });
const optimizer = createOptimizer('sgd', 0.01);
const variables = model.trainableWeights.map((w) => w.read());
const count = 64;
const set = { images: new Uint8Array(count * 3072).map((_, i) => (i * 2654435761) >>> 24), labels: new Uint8Array(count).map((_, i) => i % 10), count, height: 32, width: 32, channels: 3 };
const normalization = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
const random = new Random(1);
const indices = Int32Array.from({ length: count }, (_, i) => i);

function step() {
  const batch = fillBatch(set, indices, normalization, random);
  tf.tidy(() => {
    const images = tf.tensor4d(batch.images, batch.shape);
    const labels = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 10);
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, computeLogits(model, images, { training: true, dropoutSeed: 1 })), true, variables);
    cost.dataSync();
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
  process.stdout.write(`${JSON.stringify({ kernel: row.kernel, msPerStep: Number((row.ms / steps).toFixed(2)), callsPerStep: row.calls / steps, share: Number((row.ms / kernelMs).toFixed(3)) })}\n`);
}
process.stdout.write(`${JSON.stringify({ summary: true, backend: backend.description, width, batch: count, wallMsPerStep: Number((wall / steps).toFixed(1)), kernelMsPerStep: Number((kernelMs / steps).toFixed(1)), imagesPerSecondUnderProfiler: Number(((count * steps) / (wall / 1000)).toFixed(1)) })}\n`);
