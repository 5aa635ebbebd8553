import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../../src/errors.js';
import {
  applyPreprocessing,
  channelAffine,
  describePreprocessing,
  parseChannelStatistics,
  resolvePreprocessing,
  toRgbOrder,
  zeroPixel,
  type Preprocessing,
  type PreprocessingRequest,
} from '../../src/model-input/preprocessing.js';

// Two RGB pixels: (R 0, G 128, B 255) and (R 255, G 64, B 1).
const PIXELS = [0, 128, 255, 255, 64, 1];

function apply(request: PreprocessingRequest, pixels = PIXELS, channels: 1 | 3 = 3): number[] {
  return [...applyPreprocessing(pixels, channels, resolvePreprocessing(request, channels))];
}

/** Float32 results against values worked out by hand in float64: within float32 rounding. */
function expectValues(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) =>
    expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected[i]))),
  );
}

describe('Keras presets (keras.applications.imagenet_utils.preprocess_input)', () => {
  it("'tf' is x / 127.5 − 1", () => {
    expectValues(apply({ kind: 'preset', preset: 'tf' }), [-1, 128 / 127.5 - 1, 1, 1, 64 / 127.5 - 1, 1 / 127.5 - 1]);
  });

  it("'torch' is x / 255 then ImageNet mean / std per R, G, B", () => {
    expectValues(apply({ kind: 'preset', preset: 'torch' }), [
      (0 - 0.485) / 0.229, // -2.117904
      (128 / 255 - 0.456) / 0.224,
      (1 - 0.406) / 0.225, // 2.64
      (1 - 0.485) / 0.229,
      (64 / 255 - 0.456) / 0.224,
      (1 / 255 - 0.406) / 0.225,
    ]);
    expect(apply({ kind: 'preset', preset: 'torch' })[2]).toBeCloseTo(2.64, 5);
  });

  it("'caffe' swaps RGB to BGR and subtracts the BGR ImageNet means on 0..255, unscaled", () => {
    // Model channel 0 is blue: pixel 1 has B 255, G 128, R 0.
    expectValues(apply({ kind: 'preset', preset: 'caffe' }), [
      255 - 103.939,
      128 - 116.779,
      0 - 123.68,
      1 - 103.939,
      64 - 116.779,
      255 - 123.68,
    ]);
  });

  it("'tf' works on a grayscale model; 'torch' and 'caffe' are refused there without naming an option", () => {
    expectValues(apply({ kind: 'preset', preset: 'tf' }, [0, 255], 1), [-1, 1]);
    for (const preset of ['torch', 'caffe'] as const) {
      const run = () => resolvePreprocessing({ kind: 'preset', preset }, 1);
      expect(run).toThrow(InvalidValueError);
      expect(run).toThrow(
        `'${preset}' is defined per R, G, B channel and the model takes 1; give its mean and std instead`,
      );
      expect(run).not.toThrow(/--/);
    }
  });
});

describe('--scale ranges', () => {
  it('0-1, 0-255 and -1-1', () => {
    expectValues(
      apply({ kind: 'range', range: '0-1' }),
      PIXELS.map((v) => v / 255),
    );
    expectValues(apply({ kind: 'range', range: '0-255' }), PIXELS);
    expectValues(apply({ kind: 'range', range: '-1-1' }), apply({ kind: 'preset', preset: 'tf' }));
  });
});

describe('mean / std on pixels scaled to 0..1', () => {
  it('applies (x/255 − mean) / std per channel', () => {
    const request: PreprocessingRequest = { kind: 'statistics', mean: [0.5, 0.25, 0], std: [0.5, 0.25, 0.125] };
    expectValues(apply(request), [
      (0 - 0.5) / 0.5,
      (128 / 255 - 0.25) / 0.25,
      1 / 0.125,
      (1 - 0.5) / 0.5,
      (64 / 255 - 0.25) / 0.25,
      1 / 255 / 0.125,
    ]);
  });

  it('one value applies to every channel; a missing mean is 0 and a missing std 1', () => {
    expect(resolvePreprocessing({ kind: 'statistics', mean: [0.5] }, 3)).toEqual({
      channelOrder: 'rgb',
      mean: [0.5, 0.5, 0.5],
      std: [1, 1, 1],
    });
    expect(resolvePreprocessing({ kind: 'statistics', std: [0.25] }, 1)).toEqual({
      channelOrder: 'rgb',
      mean: [0],
      std: [0.25],
    });
  });

  it('three values for a grayscale model, or two for any, are refused', () => {
    expect(() => resolvePreprocessing({ kind: 'statistics', mean: [0.1, 0.2, 0.3] }, 1)).toThrow(
      '3 mean values for a model with 1 input channel; give 1',
    );
    expect(() => resolvePreprocessing({ kind: 'statistics', std: [0.1, 0.2] }, 3)).toThrow(
      '2 std values for a model with 3 input channels; give 1 or 3',
    );
  });

  it('gives the same input as gradcam.json-style normalization of a trained model', () => {
    const normalization: Preprocessing = { channelOrder: 'rgb', mean: [0.1307], std: [0.3081] };
    expectValues(
      [...applyPreprocessing([0, 255, 33], 1, normalization)],
      [-0.1307 / 0.3081, (1 - 0.1307) / 0.3081, (33 / 255 - 0.1307) / 0.3081],
    );
  });
});

describe('parseChannelStatistics', () => {
  it('reads 1 or 3 numbers, spaces allowed', () => {
    expect(parseChannelStatistics('0.485, 0.456,0.406', 'mean')).toEqual([0.485, 0.456, 0.406]);
    expect(parseChannelStatistics('0.5', 'std')).toEqual([0.5]);
    expect(parseChannelStatistics('0,1,0', 'mean')).toEqual([0, 1, 0]);
    expect(parseChannelStatistics('1', 'std')).toEqual([1]);
  });

  it.each([
    ['', 'mean', 'expected 1 or 3 comma-separated numbers, e.g. 0.485,0.456,0.406'],
    ['0.1,,0.3', 'mean', 'expected 1 or 3 comma-separated numbers'],
    ['0.1,0.2,0.3,0.4', 'mean', 'expected 1 or 3 comma-separated numbers'],
    ['a,b,c', 'std', 'expected 1 or 3'],
    ['NaN', 'mean', 'expected 1 or 3'],
    ['Infinity', 'std', 'expected 1 or 3'],
    [
      '103.939,116.779,123.68',
      'mean',
      'mean 103.939 is not from 0 to 1: values are on pixels scaled to 0..1 (divide 0..255 statistics by 255)',
    ],
    ['-0.1', 'mean', '-0.1 is not from 0 to 1'],
    ['58.395,57.12,57.375', 'std', 'std 58.395 is not greater than 0 and at most 1'],
    ['0', 'std', '0 is not greater than 0'],
    ['0.2,-0.2,0.2', 'std', '-0.2 is not greater than 0'],
  ] as const)('refuses %j as %s', (text, what, message) => {
    expect(() => parseChannelStatistics(text, what)).toThrow(InvalidValueError);
    expect(() => parseChannelStatistics(text, what)).toThrow(message);
  });
});

describe('channelAffine', () => {
  it('folds mean and std into input = pixel · scale + offset on 0..255', () => {
    const { scale, offset } = channelAffine(resolvePreprocessing({ kind: 'preset', preset: 'tf' }, 3));
    expect(scale).toEqual([1 / 127.5, 1 / 127.5, 1 / 127.5]);
    expect(offset).toEqual([-1, -1, -1]);
    const caffe = channelAffine(resolvePreprocessing({ kind: 'preset', preset: 'caffe' }, 3));
    caffe.scale.forEach((s) => expect(s).toBeCloseTo(1, 12));
    caffe.offset.forEach((o, c) => expect(o).toBeCloseTo(-[103.939, 116.779, 123.68][c], 10));
  });
});

describe('toRgbOrder', () => {
  it('returns BGR values to RGB order, unchanged in value, and leaves RGB alone', () => {
    const caffe = resolvePreprocessing({ kind: 'preset', preset: 'caffe' }, 3);
    expect([...toRgbOrder(new Float32Array([1, 2, 3, 4, 5, 6]), 3, caffe)]).toEqual([3, 2, 1, 6, 5, 4]);
    const rgb = new Float32Array([1, 2, 3]);
    expect(toRgbOrder(rgb, 3, resolvePreprocessing({ kind: 'preset', preset: 'torch' }, 3))).toBe(rgb);
  });

  it('undoes the channel swap of applyPreprocessing', () => {
    const caffe = resolvePreprocessing({ kind: 'preset', preset: 'caffe' }, 3);
    const bgrInput = applyPreprocessing(PIXELS, 3, caffe);
    const rgbInput = toRgbOrder(bgrInput, 3, caffe);
    // Back in RGB order, channel c holds pixel channel c minus its own (R, G, B) mean.
    expectValues([...rgbInput], [0 - 123.68, 128 - 116.779, 255 - 103.939, 255 - 123.68, 64 - 116.779, 1 - 103.939]);
  });
});

describe('applyPreprocessing', () => {
  it('refuses a preprocessing for another channel count', () => {
    const rgb = resolvePreprocessing({ kind: 'preset', preset: 'torch' }, 3);
    expect(() => applyPreprocessing([1, 2], 1, rgb)).toThrow('preprocessing has 3 means and 3 stds for 1 channels');
  });

  it('does not modify its input', () => {
    const pixels = new Uint8Array(PIXELS);
    applyPreprocessing(pixels, 3, resolvePreprocessing({ kind: 'preset', preset: 'caffe' }, 3));
    expect([...pixels]).toEqual(PIXELS);
  });
});

describe('describePreprocessing', () => {
  it('states the formula, collapsing equal values; unscaled inputs as a subtraction on 0..255', () => {
    expect(describePreprocessing(resolvePreprocessing({ kind: 'preset', preset: 'caffe' }, 3))).toBe(
      'x − [103.939, 116.779, 123.68], BGR',
    );
    expect(describePreprocessing(resolvePreprocessing({ kind: 'range', range: '0-255' }, 1))).toBe('x − 0, RGB');
    expect(describePreprocessing(resolvePreprocessing({ kind: 'preset', preset: 'tf' }, 3))).toBe(
      '(x/255 − 0.5) / 0.5, RGB',
    );
    expect(describePreprocessing(resolvePreprocessing({ kind: 'preset', preset: 'torch' }, 3))).toBe(
      '(x/255 − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225], RGB',
    );
  });
});

describe('zeroPixel', () => {
  it('is the pixel each preset subtracts, in R, G, B order on 0..255', () => {
    const pixel = (preset: 'tf' | 'torch' | 'caffe') => zeroPixel(resolvePreprocessing({ kind: 'preset', preset }, 3));
    // caffe subtracts 103.939 from B, 116.779 from G, 123.68 from R.
    pixel('caffe').forEach((value, c) => expect(value).toBeCloseTo([123.68, 116.779, 103.939][c], 9));
    pixel('tf').forEach((value) => expect(value).toBeCloseTo(127.5, 9));
    pixel('torch').forEach((value, c) => expect(value).toBeCloseTo([123.675, 116.28, 103.53][c], 9));
    expect(zeroPixel(resolvePreprocessing({ kind: 'range', range: '0-1' }, 1))).toEqual([0]);
  });
});
