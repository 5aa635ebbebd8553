/**
 * The model directory, the contract between `train` and `cam`:
 *   model.json    TensorFlow.js layers format (topology + weightsManifest), the same layout that
 *                 tfjs-node's `file://` handler writes and reads
 *   weights.bin   all weights, float32 little-endian, in manifest order (`train` writes this;
 *                 any manifest tensorflowjs_converter writes is read: shards, float16, uint8/16)
 *   gradcam.json  ModelMetadata (optional for foreign models)
 *
 * Saving and loading use in-memory IO handlers plus node:fs, so they work on every backend.
 */
import * as tf from '../tf.js';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError, messageOf, relabel } from '../errors.js';
import { temporarySibling } from '../io/atomic.js';
import { readUserText, statIfExists } from '../io/read-files.js';
import { METADATA_FILE, parseMetadata, type ModelMetadata } from './metadata.js';
import type { OnnxGraph } from './onnx-graph.js';
import { checkWeightsFinite, parseWeightsManifest, type WeightsGroup } from './weights-manifest.js';

export const MODEL_FILE = 'model.json';

/** The `format` of the artifacts of an ONNX model (which has no model.json: see ModelFiles.onnx). */
export const ONNX_FORMAT = 'onnx';

/** True for a path naming an ONNX file (by its extension, as torch.onnx.export writes it). */
export function isOnnxPath(path: string): boolean {
  return path.toLowerCase().endsWith('.onnx');
}

/** True for a model.json whose `format` names a graph model. */
export function isGraphModelFormat(format: unknown): boolean {
  return format === 'graph-model';
}
export const WEIGHTS_FILE = 'weights.bin';

/**
 * Writes the model directory atomically: everything goes into a hidden sibling directory that is
 * renamed into place at the end, so `out` is never half-written. An existing `out` is replaced only
 * with `force`. `extraFiles` (name → contents, e.g. the training report) go in with the model.
 */
export async function saveModelDirectory(
  out: string,
  model: tf.LayersModel,
  metadata: ModelMetadata,
  force: boolean,
  extraFiles: Readonly<Record<string, string | Uint8Array>> = {},
): Promise<void> {
  // Fail before writing anything; moveIntoPlace checks again, in case `out` appeared meanwhile.
  const existing = await statIfExists(out);
  if (existing && !existing.isDirectory()) throw new InputError(`${out}: exists and is not a directory`, out);
  if (existing && !force) throw new InputError(`${out}: already exists`, out);
  const staging = temporarySibling(out);
  try {
    await mkdir(staging);
    await writeModelFiles(staging, model);
    await writeFile(join(staging, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
    for (const [name, contents] of Object.entries(extraFiles)) await writeFile(join(staging, name), contents);
    await moveIntoPlace(staging, out, force);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Writes model.json + weights.bin into an existing directory. */
export async function writeModelFiles(directory: string, model: tf.LayersModel): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(directory, WEIGHTS_FILE), new Uint8Array(weightData));
      await writeFile(join(directory, MODEL_FILE), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

async function moveIntoPlace(staging: string, out: string, force: boolean): Promise<void> {
  const existing = await statIfExists(out);
  if (!existing) {
    await rename(staging, out);
    return;
  }
  if (!force) throw new InputError(`${out}: already exists`, out);
  // Two renames leave a window without `out`, but never a mixed or half-written directory.
  const previous = temporarySibling(out);
  await rename(out, previous);
  await rename(staging, out);
  await rm(previous, { recursive: true, force: true });
}

export interface LoadedModel {
  model: tf.LayersModel;
  /** Absent for a plain TensorFlow.js model directory without gradcam.json. */
  metadata: ModelMetadata | undefined;
}

/** A model directory's files, read and checked but not yet built into a model (no tfjs needed). */
export interface ModelFiles {
  directory: string;
  artifacts: tf.ModelArtifacts;
  metadata: ModelMetadata | undefined;
  /** An ONNX model, read and checked (artifacts.format is ONNX_FORMAT and holds nothing else). */
  onnx?: OnnxGraph;
}

/** Loads a model directory written by `train`, or any TensorFlow.js layers model directory. */
export async function loadModelDirectory(directory: string): Promise<LoadedModel> {
  return buildModel(await readModelDirectory(directory));
}

/**
 * Reads and checks model.json, the weights and gradcam.json. Pure file work, so a command can run
 * it while the backend starts (its wasm threads take a few hundred milliseconds to come up).
 */
export async function readModelDirectory(directory: string): Promise<ModelFiles> {
  const onnxFile = await onnxFileOf(directory);
  if (onnxFile !== undefined) {
    // Loaded only for an ONNX model: protobufjs adds about 50 ms to every command's start-up.
    const { readOnnxFile } = await import('./onnx-file.js');
    const onnx = await readOnnxFile(onnxFile);
    return { directory: dirname(onnxFile), artifacts: { format: ONNX_FORMAT }, metadata: undefined, onnx };
  }
  const modelPath = join(directory, MODEL_FILE);
  const directoryStat = await statIfExists(directory);
  if (!directoryStat?.isDirectory())
    throw new InputError(`${directory}: not a directory (expected a model directory: model.json and its weights)`);
  const artifacts = await readArtifacts(directory, modelPath);
  const metadataPath = join(directory, METADATA_FILE);
  // gradcam.json is optional: foreign layers models have none.
  const metadata = (await statIfExists(metadataPath))
    ? parseMetadata(await readUserText(metadataPath, 'a gradcam.json file'), metadataPath)
    : undefined;
  return { directory, artifacts, metadata };
}

/**
 * The ONNX file `path` names: the path itself when it ends in `.onnx`, or the one `.onnx` file of
 * a directory that holds no model.json; undefined for anything else (a TensorFlow.js model).
 */
async function onnxFileOf(path: string): Promise<string | undefined> {
  if (isOnnxPath(path)) return path;
  const info = await statIfExists(path);
  if (!info?.isDirectory() || (await statIfExists(join(path, MODEL_FILE)))) return undefined;
  const found = (await readdir(path)).filter(isOnnxPath);
  if (found.length > 1)
    throw new InputError(`${path}: holds ${found.length} .onnx files (${found.join(', ')}); give the one to use`);
  return found.length === 1 ? join(path, found[0]) : undefined;
}

/** Builds the model from its files (on the current backend) and checks gradcam.json against it. */
export async function buildModel({ directory, artifacts, metadata }: ModelFiles): Promise<LoadedModel> {
  const modelPath = join(directory, MODEL_FILE);
  if (isGraphModelFormat(artifacts.format)) throw new InputError(`${modelPath}: a graph model, not a layers model`);
  let model: tf.LayersModel;
  try {
    model = await onCpuBackend(() => tf.loadLayersModel(tf.io.fromMemory(artifacts)));
  } catch (error) {
    throw new InputError(`${modelPath}: cannot build the model (${firstLine(messageOf(error))})`);
  }
  if (metadata) {
    try {
      checkMetadataFitsModel(metadata, model, join(directory, METADATA_FILE));
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  return { model, metadata };
}

/**
 * gradcam.json describes the model beside it; one copied from another model (or hand-edited)
 * would feed images of the wrong size, name the wrong classes or point at a missing layer, and
 * fail deep inside TensorFlow.js or, worse, silently mislabel. Refused here, naming the field.
 */
function checkMetadataFitsModel(metadata: ModelMetadata, model: tf.LayersModel, metadataPath: string): void {
  const modelPath = join(dirname(metadataPath), MODEL_FILE);
  const input = model.inputs[0]?.shape ?? [];
  const expectedInput = input.slice(1);
  const fits =
    input.length === 4 &&
    metadata.inputShape.every((size, axis) => expectedInput[axis] === null || expectedInput[axis] === size);
  if (!fits) {
    throw new InputError(
      `${metadataPath}: "inputShape" [${metadata.inputShape.join(', ')}] does not match the input [${expectedInput.join(', ')}] of ${modelPath}`,
    );
  }
  const classes = model.outputs[0]?.shape.at(-1);
  if (classes !== metadata.classNames.length) {
    throw new InputError(
      `${metadataPath}: "classNames" lists ${metadata.classNames.length} classes, ${modelPath} outputs ${classes}`,
    );
  }
  const target = model.layers.find((layer) => layer.name === metadata.targetLayer);
  if (!target)
    throw new InputError(
      `${metadataPath}: "targetLayer" ${JSON.stringify(metadata.targetLayer)} is not a layer of ${modelPath}`,
    );
  const shape = target.outputShape;
  if (!Array.isArray(shape) || Array.isArray(shape[0]) || shape.length !== 4) {
    throw new InputError(
      `${metadataPath}: "targetLayer" ${JSON.stringify(metadata.targetLayer)} has no spatial output [batch, h, w, channels] to explain`,
    );
  }
}

async function readArtifacts(directory: string, modelPath: string): Promise<tf.ModelArtifacts> {
  const text = await relabel(
    () => readUserText(modelPath, 'a model.json file'),
    (error) => `${error.message}; expected a TensorFlow.js layers model`,
  );
  let json: {
    modelTopology?: unknown;
    weightsManifest?: unknown;
    format?: unknown;
    signature?: unknown;
    userDefinedMetadata?: unknown;
  };
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(`${modelPath}: not valid JSON`);
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    typeof json.modelTopology !== 'object' ||
    json.modelTopology === null
  ) {
    throw new InputError(`${modelPath}: no "modelTopology"; expected a TensorFlow.js layers model`);
  }
  if (json.format !== undefined && json.format !== 'layers-model' && !isGraphModelFormat(json.format)) {
    throw new InputError(
      `${modelPath}: format ${JSON.stringify(json.format)} is neither a TensorFlow.js layers model nor a graph model`,
    );
  }
  const groups = parseWeightsManifest(json.weightsManifest, modelPath);
  const groupBytes: Uint8Array[] = [];
  for (const group of groups) groupBytes.push(await readWeightsGroup(directory, modelPath, group));
  // TensorFlow.js decodes (and dequantizes) these bytes itself, in manifest order, when the model is built.
  const weightData = concatenate(groupBytes);
  return {
    modelTopology: json.modelTopology as tf.ModelArtifacts['modelTopology'],
    format: typeof json.format === 'string' ? json.format : undefined,
    // A graph model's signature names its inputs and outputs; the converter reads it.
    signature: json.signature as tf.ModelArtifacts['signature'],
    userDefinedMetadata: json.userDefinedMetadata as tf.ModelArtifacts['userDefinedMetadata'],
    weightSpecs: groups.flatMap((group) => group.weights),
    weightData: weightData.buffer as ArrayBuffer,
  };
}

/**
 * A group's shard files, concatenated, after checking that they are regular files inside the
 * model directory whose sizes add up to what the manifest describes (checked before reading, so
 * a huge or endless file is never read) and that the values are finite.
 */
async function readWeightsGroup(directory: string, modelPath: string, group: WeightsGroup): Promise<Uint8Array> {
  const files = group.paths.map((path) => weightsFilePath(directory, modelPath, path));
  const sizes = await Promise.all(
    files.map(async (file) => {
      const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
        const why = error.code === 'ENOENT' ? 'missing' : `cannot read (${error.code ?? error.message})`;
        throw new InputError(`${file}: ${why} (named in model.json)`);
      });
      if (!info.isFile()) throw new InputError(`${file}: not a regular file (named in model.json)`);
      return info.size;
    }),
  );
  const named = files.length === 1 ? files[0] : `${files[0]} (and the ${files.length - 1} other shards of its group)`;
  const size = sizes.reduce((a, b) => a + b, 0);
  if (size !== group.byteLength) {
    throw new InputError(`${named}: ${size} bytes of weights, model.json describes ${group.byteLength}`);
  }
  const shards = await Promise.all(
    files.map((file) =>
      readFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new InputError(`${file}: cannot read (${error.code ?? error.message})`);
      }),
    ),
  );
  const bytes = concatenate(shards);
  if (bytes.byteLength !== group.byteLength) {
    throw new InputError(`${named}: ${bytes.byteLength} bytes of weights, model.json describes ${group.byteLength}`);
  }
  checkWeightsFinite(bytes, group.weights, named);
  return bytes;
}

function weightsFilePath(directory: string, modelPath: string, path: string): string {
  // Only plain file names inside the model directory: a manifest must not read elsewhere.
  if (typeof path !== 'string' || path === '' || basename(path) !== path || path === '.' || path === '..') {
    throw new InputError(
      `${modelPath}: weights path ${JSON.stringify(path)} must be a file name inside the model directory`,
    );
  }
  return join(directory, path);
}

/**
 * Byte arrays as one buffer that starts at offset 0 (typed-array views need alignment). A single
 * large file, as `train` writes, is used as read: copying 42 MB into fresh memory costs a quarter
 * of a second of page faults on a small VM.
 */
function concatenate(buffers: Uint8Array[]): Uint8Array {
  const [only] = buffers;
  if (buffers.length === 1 && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) return only;
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const joined = new Uint8Array(new ArrayBuffer(total));
  let offset = 0;
  for (const buffer of buffers) {
    joined.set(buffer, offset);
    offset += buffer.byteLength;
  }
  return joined;
}

/**
 * Runs `load` with the cpu backend active. tfjs-layers first builds every layer with zero-filled
 * weights, then replaces them with the loaded ones: on wasm both copies are written into fresh wasm
 * memory (for a full-width VGG, 2 × 42 MB of page faults, about half a second), while on cpu the
 * zeros are lazily-zeroed JavaScript buffers that are never touched. The weights move to the wasm
 * heap once, on first use.
 */
async function onCpuBackend<T>(load: () => Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  if (previous === 'cpu') return load();
  await tf.setBackend('cpu');
  try {
    return await load();
  } finally {
    await tf.setBackend(previous);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
