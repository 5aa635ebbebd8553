import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { graphInputShape, topologyInputShape, withInputSize } from '../../src/models/declared-input-shape.js';

/** A converter-style functional topology (Keras wraps it in model_config). */
const converted = (shape: unknown[], key = 'batch_input_shape') => ({
  keras_version: '2.2.4',
  model_config: {
    class_name: 'Model',
    config: {
      layers: [
        { name: 'input_1', class_name: 'InputLayer', config: { [key]: shape, dtype: 'float32' }, inbound_nodes: [] },
        { name: 'conv', class_name: 'Conv2D', config: { filters: 2 }, inbound_nodes: [[['input_1', 0, 0, {}]]] },
      ],
    },
  },
});

async function savedTopology(model: tf.LayersModel): Promise<unknown> {
  let topology: unknown;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return topology;
}

describe('topologyInputShape', () => {
  it('reads converter, Keras 3 and TensorFlow.js topologies, functional and Sequential', async () => {
    expect(topologyInputShape(converted([null, 224, 224, 3]))).toEqual([null, 224, 224, 3]);
    expect(topologyInputShape(converted([null, null, null, 3], 'batch_shape'))).toEqual([null, null, null, 3]);
    const sequential = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [null, 20, 1], filters: 2, kernelSize: 1 })],
    });
    expect(topologyInputShape(await savedTopology(sequential))).toEqual([null, null, 20, 1]);
    const input = tf.input({ shape: [8, 8, 3] });
    const functional = tf.model({
      inputs: input,
      outputs: tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor,
    });
    expect(topologyInputShape(await savedTopology(functional))).toEqual([null, 8, 8, 3]);
  });

  it('is undefined for what it does not know: two inputs, a graph model, garbage', () => {
    const two = converted([null, 8, 8, 3]);
    two.model_config.config.layers.push({ ...two.model_config.config.layers[0], name: 'input_2' });
    expect(topologyInputShape(two)).toBeUndefined();
    expect(topologyInputShape({ node: [{ name: 'x', op: 'Placeholder' }] })).toBeUndefined();
    expect(topologyInputShape(null)).toBeUndefined();
    expect(topologyInputShape(converted([null, 8, 3]))).toBeUndefined();
    expect(topologyInputShape(converted([null, 'a', 8, 3]))).toBeUndefined();
  });
});

describe('withInputSize', () => {
  it('fixes height and width in a copy, keeping batch and channels', () => {
    const original = converted([null, null, null, 3], 'batch_shape');
    const sized = withInputSize(original, 240, 320);
    expect(topologyInputShape(sized)).toEqual([null, 240, 320, 3]);
    expect(topologyInputShape(original)).toEqual([null, null, null, 3]);
  });

  it('makes TensorFlow.js compute every layer’s shape for that size', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const conv = tf.layers
      .conv2d({ name: 'conv', filters: 4, kernelSize: 3, strides: 2 })
      .apply(input) as tf.SymbolicTensor;
    const output = tf.layers
      .dense({ units: 2 })
      .apply(tf.layers.globalAveragePooling2d({}).apply(conv)) as tf.SymbolicTensor;
    const topology = await savedTopology(tf.model({ inputs: input, outputs: output }));
    const rebuilt = await tf.models.modelFromJSON({
      modelTopology: withInputSize(topology, 11, 21) as tf.io.ModelJSON['modelTopology'],
    });
    expect(rebuilt.getLayer('conv').outputShape).toEqual([null, 5, 10, 4]);
  });

  it('returns a topology whose input it cannot find unchanged', () => {
    const graph = { node: [] };
    expect(withInputSize(graph, 2, 2)).toBe(graph);
  });
});

describe('graphInputShape', () => {
  const placeholder = (sizes: unknown[]) => ({
    name: 'input',
    op: 'Placeholder',
    attr: { shape: { shape: { dim: sizes.map((size) => ({ size })) } } },
  });
  const conv = { name: 'conv', op: 'Conv2D', input: ['input'] };

  it("reads the Placeholder's shape as the converter writes it, -1 as null", () => {
    expect(graphInputShape({ node: [placeholder(['-1', '64', '64', '1']), conv] })).toEqual([null, 64, 64, 1]);
    expect(graphInputShape({ node: [placeholder(['-1', '-1', '-1', '3']), conv] })).toEqual([null, null, null, 3]);
  });

  it('is undefined for no or two Placeholders, another rank, garbage sizes, a layers topology', () => {
    expect(graphInputShape({ node: [conv] })).toBeUndefined();
    expect(
      graphInputShape({ node: [placeholder(['-1', '8', '8', '3']), { ...placeholder(['-1']), name: 'b' }] }),
    ).toBeUndefined();
    expect(graphInputShape({ node: [placeholder(['-1', '8', '3'])] })).toBeUndefined();
    expect(graphInputShape({ node: [placeholder(['-1', 'x', '8', '3'])] })).toBeUndefined();
    expect(graphInputShape({ node: [{ name: 'input', op: 'Placeholder' }] })).toBeUndefined();
    expect(graphInputShape(converted([null, 8, 8, 3]))).toBeUndefined();
  });
});
