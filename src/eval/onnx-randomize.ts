/**
 * The sanity check's cascade (randomize.ts) for ONNX models: each node's float32 initializers of
 * more than one value (its weights, biases, batch-norm statistics) are re-drawn, output side
 * first, as for graph models (graph-randomize.ts). ONNX stores the initializers by name, so they
 * are replaced in the model's constants, and the same permutation draw is used: the trained
 * values in a seeded random order, which keeps their scale and sign (a variance stays positive).
 */
import * as tf from '../tf.js';
import type { LoadedOnnxModel } from '../models/onnx-model.js';
import { permutedLike } from './graph-randomize.js';
import { weightSeed, type WeightCascade } from './randomize.js';

export function onnxCascade(loaded: LoadedOnnxModel): WeightCascade {
  const trained = new Map<string, tf.Tensor>();
  for (const node of loaded.nodes)
    for (const name of node.constants) {
      const weight = loaded.weight(name);
      if (weight && weight.dtype === 'float32' && weight.size > 1) trained.set(name, weight);
    }
  const steps: { node: string; weights: string[] }[] = [];
  const owned = new Set<string>();
  for (const node of [...loaded.nodes].reverse()) {
    const weights = node.constants.filter((name) => trained.has(name) && !owned.has(name));
    for (const name of weights) owned.add(name);
    if (weights.length > 0) steps.push({ node: node.name, weights });
  }
  const drawn = new Map<string, tf.Tensor>();
  let restoreTrained: (() => void) | undefined;
  return {
    steps: steps.map((step) => step.node),
    redraw:
      'the values of each initializer one node at a time reads (float32, more than one value) randomly permuted, seeded',
    save() {
      return () => {
        restoreTrained?.();
        restoreTrained = undefined;
        tf.dispose([...drawn.values()]);
        drawn.clear();
      };
    },
    randomize(step, seed) {
      steps[step].weights.forEach((name, index) => {
        drawn.get(name)?.dispose();
        drawn.set(name, permutedLike(trained.get(name) as tf.Tensor, weightSeed(seed, index)));
      });
      // Always the trained weights with every draw so far in place: the cascade is cumulative.
      restoreTrained?.();
      restoreTrained = loaded.replaceInitializers(drawn);
    },
  };
}
