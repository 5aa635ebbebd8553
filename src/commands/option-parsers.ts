/**
 * Option-value parsers for commander. Each throws commander's InvalidArgumentError, which
 * commander turns into one line naming the option, e.g.
 * `error: option '--epochs <n>' argument '0' is invalid. Expected an integer from 1 to 10000.`
 */
import { InvalidArgumentError } from 'commander';
import { parseChannelStatistics } from '../model-input/preprocessing.js';
import { messageOf } from '../errors.js';

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    }
    return number;
  };
}

/** A finite number in [min, max]; `exclusiveMin` excludes `min` itself (e.g. a learning rate > 0). */
export function numberIn(min: number, max: number, exclusiveMin = false): (value: string) => number {
  return (value) => {
    const number = Number(value);
    const tooSmall = exclusiveMin ? number <= min : number < min;
    if (value.trim() === '' || !Number.isFinite(number) || tooSmall || number > max) {
      const lower = exclusiveMin ? `greater than ${min}` : `from ${min}`;
      throw new InvalidArgumentError(`Expected a number ${lower} ${exclusiveMin ? 'and at most' : 'to'} ${max}.`);
    }
    return number;
  };
}

/** A comma-separated list of integers in [min, max], e.g. `--index 0,7,42`. */
export function integerListIn(min: number, max: number): (value: string) => number[] {
  const parseOne = integerIn(min, max);
  return (value) => {
    const parts = value.split(',').map((part) => part.trim());
    if (parts.some((part) => part === '')) {
      throw new InvalidArgumentError(`Expected a comma-separated list of integers from ${min} to ${max}.`);
    }
    return parts.map(parseOne);
  };
}

/** For repeatable options: `--image a.png --image b.png` collects into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `original` or `WxH` (e.g. `224x224`), each side 1–8192. */
export function imageSize(value: string): { width: number; height: number } | 'original' {
  if (value === 'original') return value;
  const size = parseWidthByHeight(value, 8192);
  if (!size)
    throw new InvalidArgumentError("Expected 'original' or WIDTHxHEIGHT with sides from 1 to 8192, e.g. 224x224.");
  return size;
}

/** `WxH` (e.g. `224x224`), each side 1–maxSide. */
export function widthByHeight(maxSide: number): (value: string) => { width: number; height: number } {
  return (value) => {
    const size = parseWidthByHeight(value, maxSide);
    if (!size) throw new InvalidArgumentError(`Expected WIDTHxHEIGHT with sides from 1 to ${maxSide}, e.g. 224x224.`);
    return size;
  };
}

function parseWidthByHeight(value: string, maxSide: number): { width: number; height: number } | undefined {
  const match = /^(\d{1,5})[xX×](\d{1,5})$/.exec(value.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  return match && width >= 1 && height >= 1 && width <= maxSide && height <= maxSide ? { width, height } : undefined;
}

/** `R,G,B` or one value, on pixels scaled to 0..1 (model-input/preprocessing.ts says what is accepted). */
export function channelStatistics(what: 'mean' | 'std'): (value: string) => number[] {
  return (value) => {
    try {
      return parseChannelStatistics(value, what);
    } catch (error) {
      const message = messageOf(error);
      throw new InvalidArgumentError(`${message[0].toUpperCase()}${message.slice(1)}.`);
    }
  };
}

/** A fraction strictly between 0 and 1, e.g. `--val-split 0.2`. */
export function openFraction(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !(number > 0 && number < 1))
    throw new InvalidArgumentError('Expected a number greater than 0 and less than 1.');
  return number;
}

/** `WxH` (e.g. `64x48`), each side from 8 to 1024: a training input size. */
export function inputSize(value: string): { width: number; height: number } {
  const size = parseWidthByHeight(value, 1024);
  if (!size || size.width < 8 || size.height < 8)
    throw new InvalidArgumentError('Expected WIDTHxHEIGHT with sides from 8 to 1024, e.g. 64x64.');
  return size;
}

/** `K/N` with 1 ≤ K ≤ N ≤ 100000, e.g. `--shard 2/4`. */
export function shardSpec(value: string): { index: number; count: number } {
  const match = /^(\d{1,6})\/(\d{1,6})$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count > 100_000 || index > count) {
    throw new InvalidArgumentError('Expected K/N with 1 ≤ K ≤ N, e.g. 2/4.');
  }
  return { index, count };
}
