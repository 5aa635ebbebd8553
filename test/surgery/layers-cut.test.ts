import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LayerChoiceError, spatialLayerNames, cutModelAt } from '../../src/surgery/layers-cut.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

describe('cam --layer follows the rule inspect and the default target use (default-target.ts)', () => {
  it('refuses a 1×1 layer, saying why, and lists only the larger ones', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, name: 'conv' }),
        tf.layers.averagePooling2d({ poolSize: 2, name: 'pool' }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 2, name: 'logits' }),
      ],
    });
    expect(spatialLayerNames(model)).toEqual(['conv']);
    expect(cutModelAt(model, 'conv').activationShape).toEqual([2, 2, 2]);
    let error: unknown;
    try {
      cutModelAt(model, 'pool');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(LayerChoiceError);
    expect((error as Error).message).toBe(
      'layer pool: output is 1×1: its map would be one value, which shows no location; choose one of: conv',
    );
    model.dispose();
  });
});
