/**
 * What `cam` needs to feed a model: the size images are resized to, how their pixels are
 * preprocessed, and the class names (`inspect` uses the size part). A model from `gradcam train`
 * states all three in its gradcam.json; for any other model they come from the model itself (its
 * input size, its number of classes) and from the options of model-input-options.ts. This is
 * where those options are checked and their errors name them.
 */
import { join } from 'node:path';
import { readLabels, checkLabelCount } from '../models/labels-file.js';
import {
  describePreprocessing,
  resolvePreprocessing,
  type Preprocessing,
  type PreprocessingRequest,
} from '../model-input/preprocessing.js';
import { InvalidValueError, UsageError, messageOf } from '../errors.js';
import type { Log } from '../log.js';
import { declaredInput, inputShapeFor, openSides } from '../models/input-size.js';
import type { ModelMetadata } from '../models/metadata.js';
import { flagOf } from './option-table.js';
import { graphInputShape, topologyInputShape } from '../models/declared-input-shape.js';
import { isGraphModelFormat, type ModelFiles } from '../models/model-dir.js';
import { declaredOnnxInputShape } from '../models/onnx-graph.js';
import { MODEL_INPUT_OPTIONS, type ModelInputOptions } from './model-input-options.js';

export interface ModelInputs {
  /** [height, width, channels] images are resized to. */
  inputShape: [number, number, number];
  preprocessing: Preprocessing;
  /** Class index → name; the index as text when the model has no names. */
  classNames: string[];
}

/** What the loaded model says about itself. */
export interface ModelFacts {
  /** The --model directory as given. */
  directory: string;
  /** The file the input shape comes from, for errors (`DIR/model.json`). */
  modelFile: string;
  metadata: ModelMetadata | undefined;
  /** The input shape with the batch axis; null or -1 where the model accepts any size. */
  declaredShape: readonly (number | null)[];
  classes: number;
}

/**
 * What a model directory declares about its input, read from its files before any requested size
 * is written into the topology. declaredShape is undefined when model.json states no input shape.
 */
export function declaredModelFacts(directory: string, files: ModelFiles) {
  const topology = files.artifacts.modelTopology;
  if (files.onnx) {
    return {
      directory,
      modelFile: files.onnx.path,
      metadata: files.metadata,
      declaredShape: declaredOnnxInputShape(files.onnx),
    };
  }
  return {
    directory,
    modelFile: join(directory, 'model.json'),
    metadata: files.metadata,
    declaredShape: isGraphModelFormat(files.artifacts.format)
      ? graphInputShape(topology)
      : topologyInputShape(topology),
  };
}

const SCALING_OPTIONS = ['preprocess', 'mean', 'std', 'scale'] as const;
const flag = (key: keyof ModelInputOptions) => flagOf(MODEL_INPUT_OPTIONS[key]);

/** Checks that needs no model: at most one way of stating the preprocessing. Call before loading. */
export function checkModelInputOptions(options: ModelInputOptions): void {
  const given = SCALING_OPTIONS.filter((key) => options[key] !== undefined);
  const statistics = given.filter((key) => key === 'mean' || key === 'std');
  if (given.length > statistics.length && given.length > 1) {
    throw new UsageError(`${given.map(flag).join(' and ')}: give one of --preprocess, --mean/--std or --scale`);
  }
}

export async function resolveModelInputs(
  options: ModelInputOptions,
  model: ModelFacts,
  log: Log,
): Promise<ModelInputs> {
  const { metadata } = model;
  const inputShape = resolveInputShape(options, model);
  if (metadata) {
    return {
      inputShape,
      preprocessing: { channelOrder: 'rgb', mean: metadata.normalization.mean, std: metadata.normalization.std },
      classNames: metadata.classNames,
    };
  }
  const preprocessing = foreignPreprocessing(options, inputShape[2], log);
  let classNames = Array.from({ length: model.classes }, (_, i) => String(i));
  if (options.labels !== undefined) {
    classNames = await readLabels(options.labels);
    checkLabelCount(classNames, model.classes, options.labels);
  }
  return { inputShape, preprocessing, classNames };
}

/**
 * [height, width, channels] images are resized to: gradcam.json's, the model's own, or
 * --input-size where the model leaves the size open. Needs no built model, so a command can
 * check it (and write the size into the topology: declared-input-shape.ts) before building.
 */
export function resolveInputShape(
  options: ModelInputOptions,
  model: Omit<ModelFacts, 'classes'>,
): [number, number, number] {
  if (model.metadata) {
    refuseWithMetadata(options, model.directory);
    return model.metadata.inputShape;
  }
  const declared = declaredInput(model.declaredShape, model.modelFile);
  const open = openSides(declared);
  if (open && !options.inputSize)
    throw new UsageError(`${model.modelFile}: the model accepts images of any ${open}; give --input-size WxH`);
  try {
    return inputShapeFor(declared, options.inputSize);
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    throw new UsageError(`--input-size ${messageOf(error)}`);
  }
}

/** gradcam.json states the preprocessing, size and names; a second statement would be ignored or contradict it. */
function refuseWithMetadata(options: ModelInputOptions, directory: string): void {
  const given = (Object.keys(MODEL_INPUT_OPTIONS) as (keyof ModelInputOptions)[]).find(
    (key) => options[key] !== undefined,
  );
  if (given === undefined) return;
  const what = given === 'labels' ? 'class names are' : given === 'inputSize' ? 'input size is' : 'normalization is';
  throw new UsageError(
    `${flag(given)}: ${directory} has gradcam.json, whose ${what} used; ${flag(given)} is for models without it`,
  );
}

function foreignPreprocessing(options: ModelInputOptions, channels: number, log: Log): Preprocessing {
  const request: PreprocessingRequest | undefined =
    options.preprocess !== undefined
      ? { kind: 'preset', preset: options.preprocess }
      : options.mean !== undefined || options.std !== undefined
        ? { kind: 'statistics', mean: options.mean, std: options.std }
        : options.scale !== undefined
          ? { kind: 'range', range: options.scale }
          : undefined;
  let preprocessing: Preprocessing;
  try {
    preprocessing = resolvePreprocessing(request ?? { kind: 'range', range: '0-1' }, channels as 1 | 3);
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    const flags = request?.kind === 'preset' ? `--preprocess ${options.preprocess}` : '--mean/--std';
    throw new UsageError(`${flags}: ${messageOf(error)}`);
  }
  // A wrong preprocessing gives confident nonsense, never an error: say which one is used.
  const hint = request ? '' : ' (no gradcam.json and no --preprocess, --mean/--std or --scale: pixels scaled to 0..1)';
  log.info(`model input = ${describePreprocessing(preprocessing)}${hint}`);
  return preprocessing;
}
