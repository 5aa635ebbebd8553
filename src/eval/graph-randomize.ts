/**
 * The sanity check's cascade (randomize.ts) for graph models. A graph model keeps no initializers
 * (the converter stores values only), so each of a node's weight tensors is replaced by a seeded
 * random permutation of its own values: a draw, without replacement, from exactly the trained
 * values' distribution. The weights keep their scale (which the converter may have folded batch
 * norm into) and their sign (a batch norm's variance stays positive, where a normal draw with the
 * same mean and standard deviation would give negative variances and NaN activations), and lose
 * what they learned: where each value sits.
 *
 * Steps: the nodes that read weights, output side first in node (topological) order, so the
 * cascade runs from the logits down as for layers. A weight read by several nodes belongs to the
 * one nearest the output. Weights are the float32 constants with more than one value; scalars and
 * integer constants are settings of an op (a Relu6's 6, a reshape's shape, a mean's axes), not
 * learned values.
 */
import * as tf from '../tf.js';
import { replaceGraphWeights, type LoadedGraphModel } from '../models/graph-model.js';
import { Random } from '../random.js';
import { weightSeed, type WeightCascade } from './randomize.js';

interface CascadeStep {
  node: string;
  /** Names of the constants the step re-draws. */
  weights: string[];
}

export function graphCascade(loaded: LoadedGraphModel): WeightCascade {
  const trained = loaded.model.weights;
  const steps = cascadeSteps(loaded, (name) => isLearned(trained[name]?.[0]));
  const drawn = new Map<string, tf.Tensor>();
  let restoreTrained: (() => void) | undefined;
  return {
    steps: steps.map((step) => step.node),
    redraw:
      'the values of each weight one node at a time reads (float32 constants of more than one value) randomly permuted, seeded ' +
      '(graph models keep no initializers: a draw from exactly the trained values, without their arrangement)',
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
        drawn.set(name, permutedLike(trained[name][0], weightSeed(seed, index)));
      });
      // Always the trained weights with every draw so far in place: the cascade is cumulative.
      restoreTrained?.();
      restoreTrained = replaceGraphWeights(loaded, drawn);
    },
  };
}

/** The nodes that own weights, output side first, each with the weights it owns. */
function cascadeSteps(loaded: LoadedGraphModel, learned: (constant: string) => boolean): CascadeStep[] {
  const owned = new Set<string>();
  const steps: CascadeStep[] = [];
  for (const node of [...loaded.nodes].reverse()) {
    const weights = node.constants.filter((name) => !owned.has(name) && learned(name));
    for (const name of weights) owned.add(name);
    if (weights.length > 0) steps.push({ node: node.name, weights });
  }
  return steps;
}

/** A new tensor holding the values of `weights` in a seeded random order (Fisher-Yates). */
export function permutedLike(weights: tf.Tensor, seed: number): tf.Tensor {
  const values = new Random(seed).shuffle(Float32Array.from(weights.dataSync()));
  return tf.tensor(values, weights.shape, 'float32');
}

function isLearned(value: tf.Tensor | undefined): boolean {
  return value !== undefined && value.dtype === 'float32' && value.size > 1;
}
