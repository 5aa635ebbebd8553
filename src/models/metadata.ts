/**
 * `gradcam.json`: what `cam` needs to know about a model beside its weights. Written by `train`,
 * validated on read so a hand-edited or foreign file fails with a message naming the field.
 */
import { InputError } from '../errors.js';
import { toolVersion } from '../version.js';
import { dropoutRateOf, lastActivationLayerName, type VggConfig } from './vgg.js';

export const METADATA_FILE = 'gradcam.json';
export const METADATA_FORMAT = 'gradcam-model';
export const METADATA_VERSION = 1;
/**
 * The largest model input side accepted (gradcam.json, or a foreign model.json's input layer).
 * Far beyond CIFAR-10, MNIST or ImageNet sizes; a model claiming more would make `cam` resize
 * every image to it and allocate gigabytes per batch (a 30000×30000 input ran for minutes and
 * reached 17 GB before the wasm backend aborted).
 */
export const MAX_INPUT_SIDE = 4096;

export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  testLoss: number;
  testAccuracy: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface ModelMetadata {
  format: typeof METADATA_FORMAT;
  formatVersion: typeof METADATA_VERSION;
  toolVersion: string;
  dataset: string;
  classNames: string[];
  /** [height, width, channels] the model takes. */
  inputShape: [number, number, number];
  /** Per-channel statistics of training pixels scaled to [0, 1]: input = (pixel/255 − mean) / std. */
  normalization: { mean: number[]; std: number[] };
  /** Layer whose activations Grad-CAM explains by default. */
  targetLayer: string;
  architecture: { name: 'vgg11'; width: number; batchNorm: boolean; dropout: number; poolAfter: number[] };
  training: Record<string, unknown>;
  testAccuracy: number | null;
  /** Backend description the model was trained on. */
  backend: string;
  history: EpochRecord[];
  createdAt: string;
}

/** What a finished training run knows; the rest of gradcam.json follows from it. */
export interface TrainedModelFacts {
  dataset: string;
  classNames: string[];
  architecture: VggConfig;
  normalization: ModelMetadata['normalization'];
  /** The training options and image counts, as recorded under "training". */
  training: Record<string, unknown>;
  backend: string;
  history: EpochRecord[];
}

/** gradcam.json for a VGG trained by this tool; the test accuracy is the last epoch's. */
export function buildModelMetadata(facts: TrainedModelFacts): ModelMetadata {
  const { architecture } = facts;
  return {
    format: METADATA_FORMAT,
    formatVersion: METADATA_VERSION,
    toolVersion: toolVersion(),
    dataset: facts.dataset,
    classNames: facts.classNames,
    inputShape: architecture.inputShape,
    normalization: facts.normalization,
    targetLayer: lastActivationLayerName(architecture),
    architecture: {
      name: 'vgg11',
      width: architecture.width,
      batchNorm: architecture.batchNorm,
      dropout: dropoutRateOf(architecture),
      poolAfter: architecture.poolAfter,
    },
    training: facts.training,
    testAccuracy: facts.history.at(-1)?.testAccuracy ?? null,
    backend: facts.backend,
    history: facts.history,
    createdAt: new Date().toISOString(),
  };
}

/** Parses and checks gradcam.json text; `source` names the file in errors. */
export function parseMetadata(text: string, source: string): ModelMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(`${source}: not valid JSON`);
  }
  const fail = (what: string): never => {
    throw new InputError(`${source}: ${what}`);
  };
  if (!isObject(value)) return fail('expected a JSON object');
  if (value.format !== METADATA_FORMAT) fail(`expected "format": "${METADATA_FORMAT}"`);
  if (value.formatVersion !== METADATA_VERSION) {
    fail(`unsupported formatVersion ${JSON.stringify(value.formatVersion)} (this gradcam reads ${METADATA_VERSION})`);
  }
  const { classNames, inputShape, normalization, targetLayer } = value;
  if (!Array.isArray(classNames) || classNames.length < 2 || !classNames.every((n) => typeof n === 'string')) {
    fail('"classNames" must be an array of at least 2 strings');
  }
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== 3 ||
    !inputShape.every((d) => Number.isInteger(d) && d >= 1) ||
    !inputShape.slice(0, 2).every((d) => (d as number) <= MAX_INPUT_SIDE) ||
    ![1, 3].includes(inputShape[2] as number)
  ) {
    fail(`"inputShape" must be [height, width, 1 or 3] with sides from 1 to ${MAX_INPUT_SIDE}`);
  }
  const channels = (inputShape as number[])[2];
  if (
    !isObject(normalization) ||
    !isFiniteVector(normalization.mean, channels) ||
    !isFiniteVector(normalization.std, channels)
  ) {
    fail(`"normalization" must hold "mean" and "std" arrays of ${channels} finite numbers`);
  }
  if ((normalization as { std: number[] }).std.some((s) => s <= 0)) fail('"normalization.std" must be positive');
  if (typeof targetLayer !== 'string' || targetLayer === '') fail('"targetLayer" must be a layer name');
  return value as unknown as ModelMetadata;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteVector(value: unknown, length: number): boolean {
  return (
    Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}
