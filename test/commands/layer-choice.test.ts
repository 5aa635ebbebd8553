/**
 * Which layer cam and eval explain, and the library's layer errors said in the terms of whoever
 * named the layer: `--layer` gets the flag, gradcam.json's or the default rule's layer keeps the
 * library's words; every one of them is a UsageError.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutAtChosenLayer } from '../../src/commands/layer-choice.js';
import { UsageError } from '../../src/errors.js';

let convolutional: tf.LayersModel;
let denseOnly: tf.LayersModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  convolutional = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, name: 'conv' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 3, name: 'scores' }),
    ],
  });
  denseOnly = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [4], units: 3, name: 'scores' })],
  });
});

afterAll(() => {
  convolutional.dispose();
  denseOnly.dispose();
});

function usageMessage(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error('expected a UsageError');
}

describe('cutAtChosenLayer', () => {
  it('cuts at --layer, else at the metadata layer, else at the default one', () => {
    expect(cutAtChosenLayer(convolutional, 'conv', 'flat').layerName).toBe('conv');
    expect(cutAtChosenLayer(convolutional, undefined, 'conv').cut.activationShape).toEqual([4, 4, 2]);
    expect(cutAtChosenLayer(convolutional, undefined, undefined).layerName).toBe('conv');
  });

  it('puts --layer in front of the reason when the option named the layer', () => {
    expect(usageMessage(() => cutAtChosenLayer(convolutional, 'nope', undefined))).toBe(
      '--layer nope: no such layer; layers with a spatial output: conv',
    );
  });

  it("keeps the library's words for a layer gradcam.json named", () => {
    expect(usageMessage(() => cutAtChosenLayer(convolutional, undefined, 'flat'))).toBe(
      'layer flat: output shape [, 32] is not spatial [batch, h, w, channels]; choose one of: conv',
    );
  });

  it('asks for --layer when the default rule finds none', () => {
    expect(usageMessage(() => cutAtChosenLayer(denseOnly, undefined, undefined))).toBe(
      'the model has no layer with a spatial output larger than 1×1 that every path to its output passes through; pick one with --layer',
    );
  });
});
