import { describe, expect, it } from 'vitest';
import { InputError, InvalidValueError } from '../../src/errors.js';
import { MAX_INPUT_SIDE } from '../../src/models/metadata.js';
import { declaredInput, inputShapeFor } from '../../src/models/input-size.js';

describe('declaredInput', () => {
  it('reads fixed and open sides; null and -1 both mean open', () => {
    expect(declaredInput([null, 224, 224, 3], 'm.json')).toEqual({ height: 224, width: 224, channels: 3 });
    expect(declaredInput([-1, -1, -1, 3], 'm.json')).toEqual({ height: undefined, width: undefined, channels: 3 });
    expect(declaredInput([1, 28, null, 1], 'm.json')).toEqual({ height: 28, width: undefined, channels: 1 });
  });

  it.each([
    [[null, 224, 3], 'm.json: input shape [null, 224, 3] is not [batch, height, width, 1 or 3]'],
    [[null, 224, 224, 4], 'm.json: input shape [null, 224, 224, 4] is not [batch, height, width, 1 or 3]'],
    [[null, 224, 224, null], 'm.json: input shape [null, 224, 224, null] is not [batch, height, width, 1 or 3]'],
    [[null, 3, 224, 224], 'is not [batch, height, width, 1 or 3]'],
    [[null, 0, 224, 3], 'm.json: input shape [null, 0, 224, 3] has a side that is not a positive integer'],
    [[null, 2.5, 224, 3], 'has a side that is not a positive integer'],
    [
      [null, MAX_INPUT_SIDE + 1, 8, 3],
      `m.json: input ${MAX_INPUT_SIDE + 1}x8 is larger than the ${MAX_INPUT_SIDE}x${MAX_INPUT_SIDE} this tool explains`,
    ],
    [[null, null, 30000, 3], 'm.json: input anyx30000 is larger than'],
  ])('refuses %j', (shape, message) => {
    expect(() => declaredInput(shape, 'm.json')).toThrow(InputError);
    expect(() => declaredInput(shape, 'm.json')).toThrow(message);
  });
});

describe('inputShapeFor', () => {
  const fixed = { height: 299, width: 224, channels: 3 as const };
  const open = { height: undefined, width: undefined, channels: 3 as const };

  it("uses the model's own size, and accepts a request that agrees with it", () => {
    expect(inputShapeFor(fixed)).toEqual([299, 224, 3]);
    expect(inputShapeFor(fixed, { width: 224, height: 299 })).toEqual([299, 224, 3]);
  });

  it('takes the requested size where the model leaves sides open', () => {
    expect(inputShapeFor(open, { width: 320, height: 240 })).toEqual([240, 320, 3]);
    expect(inputShapeFor({ height: 28, width: undefined, channels: 1 }, { width: 40, height: 28 })).toEqual([
      28, 40, 1,
    ]);
  });

  it('refuses an open size with no request, and a request against a fixed side, naming no option', () => {
    const noSize = () => inputShapeFor(open);
    expect(noSize).toThrow(InvalidValueError);
    expect(noSize).toThrow(
      'the model accepts any size; give the size to resize images to (WIDTHxHEIGHT, e.g. 224x224)',
    );
    expect(() => inputShapeFor({ height: 28, width: undefined, channels: 1 })).toThrow('the model accepts any width;');
    expect(() => inputShapeFor(fixed, { width: 299, height: 224 })).toThrow(
      new InvalidValueError('299x224: the model takes 224x299'),
    );
    expect(() => inputShapeFor({ height: 28, width: undefined, channels: 1 }, { width: 40, height: 30 })).toThrow(
      '40x30: the model takes 28 pixels high (any width)',
    );
  });
});
