/**
 * Training checkpoints: everything needed to continue a run exactly where it stopped.
 *
 *   <out>/checkpoint-00000940/
 *     model.json, weights.bin   the network (layers format; batch-norm statistics included)
 *     optimizer.bin             optimizer variables, float32, in the order of optimizer.json
 *     checkpoint.json           TrainingProgress + the run's settings (written last)
 *
 * A checkpoint is staged in a hidden temporary directory and renamed into place only when
 * complete, so a checkpoint directory that exists is whole. The previous one is deleted only
 * after that rename: a failed write (disk full, permissions) leaves it valid.
 */
import * as tf from '../tf.js';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, messageOf } from '../errors.js';
import { temporarySibling } from '../io/atomic.js';
import type { EpochRecord } from './metadata.js';
import { writeModelFiles } from './model-dir.js';

export const CHECKPOINT_FORMAT = 'gradcam-checkpoint';
const CHECKPOINT_VERSION = 1;
const CHECKPOINT_PREFIX = 'checkpoint-';
const STATE_FILE = 'checkpoint.json';
const OPTIMIZER_FILE = 'optimizer.bin';

/** Where a run is: enough, with the weights and the optimizer, to continue bit for bit. */
export interface TrainingProgress {
  /** Epochs fully completed (their evaluation included). */
  completedEpochs: number;
  /** Steps completed in the current epoch (0 when it has not started). */
  stepInEpoch: number;
  /** Optimizer steps since the start of the run. */
  globalStep: number;
  /** The current epoch's data order (indices into the training set). */
  order: number[];
  /** The random generator's state after the last completed step. */
  random: number[];
  /** Running sums of the current epoch, so its reported loss/accuracy/speed stay right. */
  running: { lossSum: number; correct: number; seen: number; seconds: number };
  history: EpochRecord[];
}

/** A checkpoint as read back. `settings` is whatever the caller stored (the run's options). */
export interface Checkpoint<Settings> {
  path: string;
  progress: TrainingProgress;
  settings: Settings;
  /** Backend description the checkpoint was written on (exact resume needs the same one). */
  backend: string;
  /** Reads the weights into `model` and the optimizer state into `optimizer`. */
  restore(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void>;
}

interface OptimizerEntry {
  name: string;
  shape: number[];
}

interface CheckpointFile<Settings> {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: typeof CHECKPOINT_VERSION;
  backend: string;
  settings: Settings;
  progress: TrainingProgress;
  optimizer: OptimizerEntry[];
  /** Adam's running β1^t and β2^t: tfjs recomputes them with pow() on restore, which can differ in the last bit. */
  adamAccumulators?: [number, number];
}

/**
 * Writes a checkpoint into `directory` (created if needed) and removes older ones.
 * Returns its path. On failure the previous checkpoint is left intact and the error says so.
 */
export async function writeCheckpoint<Settings>(
  directory: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  progress: TrainingProgress,
  settings: Settings,
  backend: string,
): Promise<string> {
  const path = join(directory, `${CHECKPOINT_PREFIX}${String(progress.globalStep).padStart(8, '0')}`);
  const staging = temporarySibling(path);
  try {
    await mkdir(directory, { recursive: true });
    await mkdir(staging);
    await writeModelFiles(staging, model);
    const optimizerWeights = await optimizer.getWeights();
    const entries = optimizerWeights.map(({ name, tensor }) => ({ name, shape: tensor.shape }));
    await writeFile(join(staging, OPTIMIZER_FILE), concatenateFloat32(optimizerWeights.map(({ tensor }) => tensor)));
    const state: CheckpointFile<Settings> = {
      format: CHECKPOINT_FORMAT,
      formatVersion: CHECKPOINT_VERSION,
      backend,
      settings,
      progress,
      optimizer: entries,
      adamAccumulators: adamAccumulators(optimizer),
    };
    await writeFile(join(staging, STATE_FILE), JSON.stringify(state));
    await rm(path, { recursive: true, force: true }); // a stale one of the same step, if any
    await rename(staging, path);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    const previous = (await listCheckpoints(directory).catch(() => [])).at(-1);
    const kept = previous ? `; the previous checkpoint ${previous} is intact` : '';
    throw new InputError(`cannot write checkpoint in ${directory} (${messageOf(error)})${kept}`);
  }
  for (const older of (await listCheckpoints(directory)).filter((name) => join(directory, name) !== path)) {
    await rm(join(directory, older), { recursive: true, force: true });
  }
  return path;
}

/** The newest complete checkpoint in `directory`, or undefined if there is none. */
export async function readLatestCheckpoint<Settings>(directory: string): Promise<Checkpoint<Settings> | undefined> {
  const latest = (await listCheckpoints(directory)).at(-1);
  if (!latest) return undefined;
  const path = join(directory, latest);
  const statePath = join(path, STATE_FILE);
  let state: CheckpointFile<Settings>;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8'));
  } catch (error) {
    throw new InputError(`${statePath}: unreadable checkpoint (${messageOf(error)})`);
  }
  if (state?.format !== CHECKPOINT_FORMAT || state.formatVersion !== CHECKPOINT_VERSION || !state.progress) {
    throw new InputError(`${statePath}: not a gradcam checkpoint of format version ${CHECKPOINT_VERSION}`);
  }
  return {
    path,
    progress: state.progress,
    settings: state.settings,
    backend: state.backend,
    async restore(model, optimizer) {
      const { loadModelDirectory } = await import('./model-dir.js');
      const saved = await loadModelDirectory(path);
      model.setWeights(saved.model.getWeights());
      saved.model.dispose();
      const bytes = await readFile(join(path, OPTIMIZER_FILE));
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      let offset = 0;
      const named = state.optimizer.map(({ name, shape }) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const tensor = tf.tensor(values.subarray(offset, offset + size), shape);
        offset += size;
        return { name, tensor };
      });
      if (offset !== values.length)
        throw new InputError(`${join(path, OPTIMIZER_FILE)}: size does not match ${STATE_FILE}`);
      await optimizer.setWeights(named);
      tf.dispose(named.map(({ tensor }) => tensor));
      if (state.adamAccumulators) restoreAdamAccumulators(optimizer, state.adamAccumulators);
    },
  };
}

/**
 * Cleans up after a run that failed (not one that was interrupted: that one keeps its checkpoint
 * on purpose). A directory this run created and that holds no complete checkpoint is removed with
 * whatever is in it, so a failure such as a full disk leaves nothing behind; a complete checkpoint
 * is kept, since `--resume` continues from it once the cause is fixed and the training it holds
 * may have taken hours. A directory that existed before the run is left alone.
 *
 * @returns the kept checkpoint's path, if any, and whether `directory` was removed.
 */
export async function discardFailedRun(
  directory: string,
  createdByRun: boolean,
): Promise<{ checkpoint?: string; removed: boolean }> {
  const latest = (await listCheckpoints(directory).catch(() => [])).at(-1);
  if (latest) return { checkpoint: join(directory, latest), removed: false };
  const exists = (await stat(directory).catch(() => undefined)) !== undefined;
  if (!createdByRun || !exists) return { removed: false };
  await rm(directory, { recursive: true, force: true });
  return { removed: true };
}

async function listCheckpoints(directory: string): Promise<string[]> {
  const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names.filter((name) => /^checkpoint-\d{8}$/.test(name)).sort();
}

type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

function adamAccumulators(optimizer: tf.Optimizer): [number, number] | undefined {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  if (!accBeta1 || !accBeta2) return undefined;
  return [accBeta1.dataSync()[0], accBeta2.dataSync()[0]];
}

function restoreAdamAccumulators(optimizer: tf.Optimizer, [beta1, beta2]: [number, number]): void {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  tf.tidy(() => {
    accBeta1?.assign(tf.scalar(beta1));
    accBeta2?.assign(tf.scalar(beta2));
  });
}

function concatenateFloat32(tensors: tf.Tensor[]): Uint8Array {
  const total = tensors.reduce((sum, tensor) => sum + tensor.size, 0);
  const values = new Float32Array(total);
  let offset = 0;
  for (const tensor of tensors) {
    values.set(tensor.dataSync() as Float32Array, offset);
    offset += tensor.size;
  }
  return new Uint8Array(values.buffer);
}
