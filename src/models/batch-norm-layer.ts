/**
 * A Keras `BatchNormalization` layer's training step through the fused kernels of
 * backend/batch-norm-training.ts, with the layer's own variables and settings, so the model and
 * its saved files are exactly those of tfjs-layers: only the computation is faster.
 *
 * It does what the layer's `call` does in training: normalize with the batch statistics, then move
 * the moving mean and variance toward them (moving ← moving − (moving − batch) · (1 − momentum)).
 */
import * as tf from '../tf.js';
import { batchNormInTraining, hasBatchNormTraining } from '../backend/batch-norm-training.js';

interface BatchNormSettings {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

type Variable = tf.Layer['weights'][number];

/**
 * The fused path covers what our models use: channels last, with both γ and β. Anything else
 * (and backends without the kernels) goes through the layer itself.
 */
export function canTrainFused(layer: tf.Layer, input: tf.Tensor): boolean {
  if (layer.getClassName() !== 'BatchNormalization' || !hasBatchNormTraining() || input.dtype !== 'float32')
    return false;
  const settings = layer.getConfig() as unknown as BatchNormSettings;
  const lastAxis = settings.axis === -1 || settings.axis === input.rank - 1;
  return lastAxis && settings.center && settings.scale && layer.weights.length === 4;
}

/** The layer's output in training mode; updates its moving averages. Call inside a tidy. */
export function trainBatchNormLayer(layer: tf.Layer, input: tf.Tensor): tf.Tensor {
  const settings = layer.getConfig() as unknown as BatchNormSettings;
  const variable = (name: string): Variable => {
    const found = layer.weights.find((weight) => weight.originalName.split('/').pop() === name);
    if (found === undefined) throw new Error(`batch-norm layer ${layer.name} has no ${name} weight`);
    return found;
  };
  const { normalized, mean, variance } = batchNormInTraining(
    input,
    variable('gamma').read(),
    variable('beta').read(),
    settings.epsilon,
  );
  const decay = 1 - settings.momentum;
  for (const [name, batchValue] of [
    ['moving_mean', mean],
    ['moving_variance', variance],
  ] as const) {
    const moving = variable(name);
    tf.tidy(() => {
      // The same operations, in the same order, as tfjs-layers' BatchNormalization.call.
      const current = moving.read();
      moving.write(tf.sub(current, tf.mul(tf.sub(current, batchValue), decay)));
    });
  }
  return normalized;
}
