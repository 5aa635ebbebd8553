import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { guidedMapSources } from '../../src/eval/map-sources.js';
import { cutModelAt, type CutModel } from '../../src/surgery/layers-cut.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

function model(): tf.LayersModel {
  const seeded = (seed: number) => tf.initializers.heNormal({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        name: 'c1',
        inputShape: [6, 6, 3],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seeded(1),
      }),
      tf.layers.conv2d({
        name: 'c2',
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seeded(2),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: seeded(3) }),
    ],
  });
}

/** The cut, counting its guided forward passes (one per guided explanation of a group of images). */
function counting(cut: CutModel): { cut: CutModel; guidedPasses: () => number } {
  let passes = 0;
  return {
    cut: {
      ...cut,
      logits: (images, options) => {
        if (options?.guidedRelu) passes++;
        return cut.logits(images, options);
      },
    },
    guidedPasses: () => passes,
  };
}

describe('guided-backprop and guided-gradcam evaluated together', () => {
  const shape = [6, 6, 3] as const;
  const images = Float32Array.from({ length: 4 * 108 }, (_, i) => Math.sin(i * 0.37));
  const classes = [0, 0, 2, 0];

  it('share one guided backward pass per round, with the maps each computes alone', () => {
    const cut = cutModelAt(model(), 'c2');
    const shared = counting(cut);
    const [backprop, guided] = guidedMapSources(shared.cut, shape, ['guided-backprop', 'guided-gradcam'], gradcam);
    const backpropMaps = backprop.explain(images, classes);
    const passesForBoth = shared.guidedPasses();
    const guidedMaps = guided.explain(images, classes);
    expect(shared.guidedPasses()).toBe(passesForBoth); // the second took the kept pass
    expect(passesForBoth).toBe(2); // two target classes
    // The kept pass is taken once: the next round (new weights, same arrays) computes again.
    guided.explain(images, classes);
    expect(shared.guidedPasses()).toBe(2 * passesForBoth);

    const [alone] = guidedMapSources(cut, shape, ['guided-gradcam'], gradcam);
    const [backpropAlone] = guidedMapSources(cut, shape, ['guided-backprop'], gradcam);
    expect(guidedMaps).toEqual(alone.explain(images, classes));
    expect(backpropMaps).toEqual(backpropAlone.explain(images, classes));
    expect(guidedMaps[0].map).not.toEqual(backpropMaps[0].map);
  });
});
