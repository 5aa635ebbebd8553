/**
 * Cascading randomization for the model-parameter sanity check of Adebayo et al. 2018 ("Sanity
 * Checks for Saliency Maps", arXiv:1810.03292, §3.1): re-initialize the layers' weights one
 * layer at a time from the top (logits) down, keeping the earlier re-initializations.
 *
 * Layers models: each weight is drawn again from its layer's own initializer (e.g. He-normal for
 * a VGG conv kernel, zeros for a bias, ones / zeros for batch norm's γ / β and moving statistics)
 * with a new seed, so a randomized layer has the statistics of an untrained one. The model is
 * changed in place; snapshotWeights / restoreWeights put the trained weights back. Graph models
 * have no initializers: graph-randomize.ts permutes their weights' values instead.
 */
import * as tf from '../tf.js';

/** What the sanity check randomizes, one step at a time, for either kind of model. */
export interface WeightCascade {
  /** Layers (graph nodes) that own weights, output side first: step k randomizes steps[0 … k]. */
  readonly steps: readonly string[];
  /** What a step re-draws and how, in words, for the report's protocol. */
  readonly redraw: string;
  /** Sets the trained weights aside; the returned function puts them back and frees the copy. */
  save(): () => void;
  /** Re-draws the weights of steps[step], seeded: equal seeds give equal weights. */
  randomize(step: number, seed: number): void;
}

/** The cascade of a layers model, by its layers' own initializers. */
export function layersCascade(model: tf.LayersModel): WeightCascade {
  const layers = layersTopDown(model);
  return {
    steps: layers.map((layer) => layer.name),
    redraw: 'the weights of one layer at a time re-initialized with their own initializers (seeded)',
    save() {
      const snapshot = snapshotWeights(layers);
      return () => {
        restoreWeights(layers, snapshot);
        disposeSnapshot(snapshot);
      };
    },
    randomize: (step, seed) => reinitializeLayer(layers[step], seed),
  };
}

/**
 * A fresh float32 tensor of `weights`' shape drawn from a normal distribution with the mean and
 * standard deviation of `weights` (all its values), seeded: the statistics of the trained weight
 * without what it learned. The caller disposes it.
 */
export function redrawLike(weights: tf.Tensor, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(weights);
    return tf.randomNormal(weights.shape, mean.dataSync()[0], Math.sqrt(variance.dataSync()[0]), 'float32', seed);
  });
}

/** A well-mixed uint32 seed for weight `index` of a step seeded with `seed`. */
export function weightSeed(seed: number, index: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) + index * 7919) >>> 0;
}

type LayerVariable = { originalName: string; shape: number[]; dtype: tf.DataType };
type InitializerLike = {
  apply(shape: number[], dtype?: tf.DataType): tf.Tensor;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
};

/** The layer attribute holding the initializer of each standard weight name. */
const INITIALIZER_OF_WEIGHT: Record<string, string> = {
  kernel: 'kernelInitializer',
  bias: 'biasInitializer',
  gamma: 'gammaInitializer',
  beta: 'betaInitializer',
  moving_mean: 'movingMeanInitializer',
  moving_variance: 'movingVarianceInitializer',
  depthwise_kernel: 'depthwiseInitializer',
  pointwise_kernel: 'pointwiseInitializer',
  embeddings: 'embeddingsInitializer',
  recurrent_kernel: 'recurrentInitializer',
};

/** Layers that own weights, output side first: the order of the cascade. */
export function layersTopDown(model: tf.LayersModel): tf.Layer[] {
  return model.layers.filter((layer) => layer.weights.length > 0).reverse();
}

/**
 * Replaces every weight of `layer` with a fresh draw from its initializer, seeded with a seed
 * derived from `seed` (equal seeds give equal weights). A weight without a recognizable
 * initializer is drawn from a normal distribution with its trained mean and standard deviation.
 */
export function reinitializeLayer(layer: tf.Layer, seed: number): void {
  const variables = layer.weights as unknown as LayerVariable[];
  const current = layer.getWeights();
  const fresh = variables.map((variable, index) => {
    const initializer = seededInitializer(layer, variable, weightSeed(seed, index));
    if (initializer) return initializer.apply(variable.shape, variable.dtype);
    return redrawLike(current[index], weightSeed(seed, index));
  });
  layer.setWeights(fresh);
  tf.dispose(fresh);
}

/** The layer's initializer for `variable`, rebuilt with `seed` in place of its own seed. */
function seededInitializer(layer: tf.Layer, variable: LayerVariable, seed: number): InitializerLike | undefined {
  const shortName = variable.originalName.split('/').at(-1) ?? '';
  const attribute = INITIALIZER_OF_WEIGHT[shortName];
  const initializer = attribute
    ? ((layer as unknown as Record<string, unknown>)[attribute] as InitializerLike | undefined)
    : undefined;
  if (!initializer || typeof initializer.getConfig !== 'function') return undefined;
  const config = initializer.getConfig();
  if (!('seed' in config)) return initializer; // constant initializers (zeros, ones) have no seed
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[initializer.getClassName()];
  if (!entry) return undefined;
  const [cls, fromConfig] = entry;
  return fromConfig(cls, { ...config, seed } as tf.ConfigDict) as unknown as InitializerLike;
}

/** Copies of the current weights of `layers` (the caller disposes them with disposeSnapshot). */
export function snapshotWeights(layers: readonly tf.Layer[]): tf.Tensor[][] {
  return layers.map((layer) => layer.getWeights().map((weight) => weight.clone()));
}

/** Writes a snapshot back into the same layers. */
export function restoreWeights(layers: readonly tf.Layer[], snapshot: tf.Tensor[][]): void {
  layers.forEach((layer, index) => layer.setWeights(snapshot[index]));
}

export function disposeSnapshot(snapshot: tf.Tensor[][]): void {
  for (const weights of snapshot) tf.dispose(weights);
}
