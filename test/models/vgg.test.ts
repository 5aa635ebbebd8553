import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildVgg, lastActivationLayerName, poolsForInput } from '../../src/models/vgg.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

function shapes(model: tf.LayersModel): Record<string, (number | null)[]> {
  return Object.fromEntries(model.layers.map((layer) => [layer.name, layer.outputShape as (number | null)[]]));
}

describe('VGG-11 layer table', () => {
  it('CIFAR-10 (32×32×3, width 1): conv5–conv8 at 4×4, VGG-11 filter counts', () => {
    const model = buildVgg({
      inputShape: [32, 32, 3],
      classes: 10,
      width: 1,
      batchNorm: false,
      poolAfter: poolsForInput(32, 32),
      seed: 0,
    });
    const s = shapes(model);
    expect(s.conv1).toEqual([null, 32, 32, 64]);
    expect(s.conv2).toEqual([null, 16, 16, 128]);
    expect(s.conv3).toEqual([null, 8, 8, 256]);
    expect(s.conv4).toEqual([null, 8, 8, 256]);
    expect(s.conv5).toEqual([null, 4, 4, 512]);
    expect(s.conv8).toEqual([null, 4, 4, 512]);
    expect(s.pool4).toEqual([null, 2, 2, 512]);
    expect(s.flatten).toEqual([null, 2048]);
    expect(s.fc1).toEqual([null, 512]);
    expect(s.logits).toEqual([null, 10]);
    expect(s.probabilities).toEqual([null, 10]);
    expect(model.layers.map((l) => l.name)).toEqual([
      'conv1',
      'pool1',
      'conv2',
      'pool2',
      'conv3',
      'conv4',
      'pool3',
      'conv5',
      'conv6',
      'conv7',
      'conv8',
      'pool4',
      'flatten',
      'fc1',
      'dropout1',
      'fc2',
      'dropout2',
      'logits',
      'probabilities',
    ]);
    expect(lastActivationLayerName({ batchNorm: false })).toBe('conv8');
  });

  it('MNIST (28×28×1, width 0.25): conv3–conv8 at 7×7, channels scaled', () => {
    const model = buildVgg({
      inputShape: [28, 28, 1],
      classes: 10,
      width: 0.25,
      batchNorm: false,
      poolAfter: poolsForInput(28, 28),
      seed: 0,
    });
    const s = shapes(model);
    expect(s.conv1).toEqual([null, 28, 28, 16]);
    expect(s.conv2).toEqual([null, 14, 14, 32]);
    expect(s.conv3).toEqual([null, 7, 7, 64]);
    expect(s.conv8).toEqual([null, 7, 7, 128]);
    expect(s.pool3).toEqual([null, 4, 4, 128]);
    expect(s.fc1).toEqual([null, 512]); // the classifier is not scaled by width
  });

  it('batch norm: conv (no bias) → bn → relu, target relu8', () => {
    const model = buildVgg({
      inputShape: [28, 28, 1],
      classes: 10,
      width: 0.125,
      batchNorm: true,
      poolAfter: [1, 2, 8],
      seed: 0,
    });
    const names = model.layers.map((l) => l.name);
    expect(names.slice(0, 4)).toEqual(['conv1', 'bn1', 'relu1', 'pool1']);
    expect(names).toContain('relu8');
    expect(model.getLayer('conv1').getWeights()).toHaveLength(1);
    expect(lastActivationLayerName({ batchNorm: true })).toBe('relu8');
  });

  it('the same seed gives the same initial weights, another seed different ones', () => {
    const config = {
      inputShape: [28, 28, 1] as [number, number, number],
      classes: 10,
      width: 0.125,
      batchNorm: false,
      poolAfter: [1, 2, 8],
    };
    const first = buildVgg({ ...config, seed: 5 })
      .getLayer('conv3')
      .getWeights()[0]
      .dataSync();
    const again = buildVgg({ ...config, seed: 5 })
      .getLayer('conv3')
      .getWeights()[0]
      .dataSync();
    const other = buildVgg({ ...config, seed: 6 })
      .getLayer('conv3')
      .getWeights()[0]
      .dataSync();
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(Array.from(other)).not.toEqual(Array.from(first));
  });
});
