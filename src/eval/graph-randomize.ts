/**
 * The sanity check's cascade (randomize.ts) for graph models. A graph model keeps no initializers
 * (the converter stores values only), so each of a node's weight tensors is re-drawn from a normal
 * distribution with that tensor's own trained mean and standard deviation, seeded: the weights
 * keep their scale (which the converter may have folded batch norm into) and lose what they
 * learned. Layers models use the same draw for a weight without a recognizable initializer.
 *
 * Steps: the nodes that read weights, output side first in node (topological) order, so the
 * cascade runs from the logits down as for layers. A weight read by several nodes belongs to the
 * one nearest the output. Weights are the float32 constants with more than one value; scalars and
 * integer constants are settings of an op (a Relu6's 6, a reshape's shape, a mean's axes), not
 * learned values.
 */
import * as tf from '../tf.js';
import { replaceGraphWeights, type LoadedGraphModel } from '../models/graph-model.js';
import { redrawLike, weightSeed, type WeightCascade } from './randomize.js';

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
      'the weights one node at a time reads (float32 constants of more than one value) re-drawn from a seeded normal distribution ' +
      "with each tensor's trained mean and standard deviation (graph models keep no initializers)",
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
        drawn.set(name, redrawLike(trained[name][0], weightSeed(seed, index)));
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

function isLearned(value: tf.Tensor | undefined): boolean {
  return value !== undefined && value.dtype === 'float32' && value.size > 1;
}
