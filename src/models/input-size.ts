/**
 * The image size a model takes. Sizes come from the model itself (a layers model's input layer,
 * a graph model's input signature); a model that accepts any size (TF Hub feature extractors,
 * fully convolutional nets: `[batch, null, null, 3]` or `-1`) needs the size to be given, and a
 * given size must agree with every side the model fixes. No TensorFlow.js here.
 */
import { InputError, InvalidValueError } from '../errors.js';
import { MAX_INPUT_SIDE } from './metadata.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** What a model declares: a side is undefined when the model accepts any size there. */
export interface DeclaredInput {
  height: number | undefined;
  width: number | undefined;
  channels: 1 | 3;
}

/**
 * shape: the model's input shape with the batch axis, null or -1 where unknown. InputError
 * starting with `source` unless it is [batch, height, width, 1 or 3] with known sides at most
 * MAX_INPUT_SIDE.
 */
export function declaredInput(shape: readonly (number | null)[], source: string): DeclaredInput {
  const known = (d: number | null | undefined) => (d === null || d === undefined || d === -1 ? undefined : d);
  const [, height, width, channels] = shape.map(known);
  const shown = `[${shape.map((d) => (known(d) === undefined ? 'null' : d)).join(', ')}]`;
  if (shape.length !== 4 || (channels !== 1 && channels !== 3)) {
    throw new InputError(`${source}: input shape ${shown} is not [batch, height, width, 1 or 3]`);
  }
  for (const side of [height, width]) {
    if (side !== undefined && (!Number.isInteger(side) || side < 1))
      throw new InputError(`${source}: input shape ${shown} has a side that is not a positive integer`);
  }
  if ((height ?? 0) > MAX_INPUT_SIDE || (width ?? 0) > MAX_INPUT_SIDE) {
    throw new InputError(
      `${source}: input ${height ?? 'any'}x${width ?? 'any'} is larger than the ${MAX_INPUT_SIDE}x${MAX_INPUT_SIDE} this tool explains`,
    );
  }
  return { height, width, channels };
}

/**
 * [height, width, channels] to resize images to: the model's own size, or `requested` where the
 * model leaves a side open. InvalidValueError (naming no option: the caller adds it) when a side is
 * open and nothing was requested, or when `requested` contradicts a side the model fixes.
 */
export function inputShapeFor(declared: DeclaredInput, requested?: ImageSize): [number, number, number] {
  const { height, width, channels } = declared;
  if (requested === undefined) {
    const open = openSides(declared);
    if (open)
      throw new InvalidValueError(
        `the model accepts any ${open}; give the size to resize images to (WIDTHxHEIGHT, e.g. 224x224)`,
      );
    return [height as number, width as number, channels];
  }
  if ((height !== undefined && requested.height !== height) || (width !== undefined && requested.width !== width)) {
    throw new InvalidValueError(`${requested.width}x${requested.height}: the model takes ${describeFixed(declared)}`);
  }
  return [requested.height, requested.width, channels];
}

/** `224x299` (width x height), `28 pixels high (any width)`. */
function describeFixed({ height, width }: DeclaredInput): string {
  if (height !== undefined && width !== undefined) return `${width}x${height}`;
  return height !== undefined ? `${height} pixels high (any width)` : `${width} pixels wide (any height)`;
}

/** What the model leaves open: 'size' (both sides), 'height' or 'width'; undefined if nothing. */
export function openSides({ height, width }: DeclaredInput): 'size' | 'height' | 'width' | undefined {
  if (height === undefined && width === undefined) return 'size';
  if (height === undefined) return 'height';
  return width === undefined ? 'width' : undefined;
}
