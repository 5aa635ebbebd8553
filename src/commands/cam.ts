/**
 * `gradcam cam`: load a model directory → cut it at the target layer → explain images in
 * batches with the chosen method (optionally SmoothGrad, guided backpropagation) → write
 * `<id>.npy`, `<id>.input.png`, with --guided `<id>.guided.npy`, and `cam.json` into --out.
 *
 * A bad input image is reported on stderr and skipped; the others are still explained, and the
 * exit code (1) says something failed.
 */
import * as tf from '../tf.js';
import { join, resolve } from 'node:path';
import type { BackendOptions, GlobalOptions } from './option-table.js';
import { explainBatch, type ExplainOptions, type Explanation } from '../cam/explain.js';
import { CAM_METHODS, type CamMethodName } from '../cam/methods/index.js';
import type { TargetSpec } from '../cam/targets.js';
import { writeFileAtomic } from '../io/atomic.js';
import { imagesFromDataset, imagesFromFolder, imagesFromFiles, type CamImage } from './cam-images.js';
import { folderSplits } from '../datasets/folder-dataset.js';
import { writePngAtomic, type DecodedImage } from '../io/image-codec.js';
import { checkOutputDirectory, createOutputDirectory } from '../io/output-directory.js';
import { SHARD_MANIFEST_PATTERN, shardManifestName, shardOf, type Shard } from '../cam-output/shards.js';
import { readFolderContents } from '../cam-output/earlier-run.js';
import { heldRunError, removeEarlierRun } from './earlier-run-option.js';
import { buildCamManifest, MANIFEST_FILE, type CamManifest, type ManifestEntry } from '../cam-output/manifest.js';
import { toModelInput } from '../model-input/image-to-input.js';
import { toRgbOrder } from '../model-input/preprocessing.js';
import { writeNpyAtomic } from '../cam-output/npy.js';
import { InputError, UsageError, forOption, fsReasonOf, relabel } from '../errors.js';
import { matchClasses } from '../eval/class-match.js';
import { stderrLog, type Log } from '../log.js';
import { announceBackend, startBackend } from './backend-option.js';
import { loadDatasetOption } from './dataset-option.js';
import { readModelDirectory } from '../models/model-dir.js';
import type { CamCommandOptions } from './cam-options.js';
import { checkGradientPaths, type GradientNeed } from './layer-choice.js';
import { checkModelInputOptions } from './model-inputs.js';
import { heldOutFolder, prepareExplainedModel, type ExplainedModel } from './explained-model.js';

export interface CamResult {
  manifest: CamManifest;
  /** Undefined when no input could be explained (outside a shard): then nothing is written. */
  manifestPath: string | undefined;
}

export async function camCommand(options: CamCommandOptions, globals: GlobalOptions): Promise<number> {
  const log = stderrLog(options.quiet);
  const { manifest, manifestPath } = await runCam(options, globals, log);
  if (options.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
  else if (manifestPath) process.stdout.write(`${manifestPath}\n`);
  return manifest.failures.length > 0 ? 1 : 0;
}

export async function runCam(options: CamCommandOptions, globals: BackendOptions, log: Log): Promise<CamResult> {
  checkImageOptions(options);
  checkModelInputOptions(options);
  const out = resolve(options.out);
  // Only checked here: --out is created when the first file is written, so a bad model or a
  // run whose every input fails leaves no empty directory behind.
  await forOption('--out', () => checkOutputDirectory(out));
  // Reading a large model overlaps with starting the backend's threads.
  const [backend, modelFiles] = await Promise.all([
    startBackend(globals, log, false),
    readModelDirectory(options.model),
  ]);
  announceBackend(backend, log);
  const model = await prepareExplainedModel(options, modelFiles, log);
  checkGradientPaths(model, gradientNeeds(options));
  const target = targetSpec(options, model.classNames);
  const explainOptions = explainOptionsOf(options);
  const camImages = await selectImages(options, model, log);
  // After every check of the model, the layer and the inputs: a run refused for those leaves an
  // earlier run's files alone, also under --force.
  await clearEarlierRun(out, options, log);
  logPlan(camImages.length, model, explainOptions, log);

  const started = performance.now();
  const { entries, failures } = await explainImages(
    camImages,
    { model, target, options: explainOptions, batchSize: options.batchSize, out },
    log,
  );
  const seconds = (performance.now() - started) / 1000;
  model.dispose();
  warnEmptyMaps(entries, options.method, log);

  const manifest = buildCamManifest({
    model: resolve(options.model),
    layer: {
      name: model.layerName,
      shape: model.cut.activationShape,
      ...(model.layerGrid ? { grid: model.layerGrid } : {}),
    },
    preprocessing: model.preprocessing,
    method: explainOptions.method.name,
    smooth: explainOptions.smooth,
    guided: explainOptions.guided ?? false,
    maxChannels: explainOptions.maxChannels,
    counterfactual: options.counterfactual,
    backend: backend.description,
    shard: options.shard,
    entries,
    failures,
  });
  // Every input failed: nothing was made, so nothing is written (each failure is already on
  // stderr). A shard still writes its manifest: merge-manifests needs every shard's.
  if (entries.length === 0 && failures.length > 0 && !options.shard) {
    log.warn(`none of the ${failures.length} input(s) could be explained; nothing written`);
    return { manifest, manifestPath: undefined };
  }
  const manifestPath = await writeManifest(out, manifest, options.shard);
  const explained = camImages.length - failures.length;
  log.info(
    `${entries.length} map(s) for ${explained} image(s) in ${seconds.toFixed(1)} s (${(explained / seconds).toFixed(1)} images/s)`,
  );
  if (failures.length > 0) log.warn(`${failures.length} input(s) failed; see "failures" in ${manifestPath}`);
  return { manifest, manifestPath };
}

/**
 * The output folder rule: a run's folder holds that run's files only, so its manifest describes
 * the folder. An --out that is not empty is refused unless --force, and --force removes only
 * what an earlier gradcam run wrote there, by its manifests (cam-output/earlier-run.ts): the
 * user's own files stay. A shard (--shard K/N) shares the folder with the other shards of its
 * job, so it objects only to manifests of another job: cam.json (already merged), its own
 * cam.shard-K-of-N.json, a shard manifest of another N, or a render's render.json.
 */
async function clearEarlierRun(out: string, options: CamCommandOptions, log: Log): Promise<void> {
  const contents = await readFolderContents(out);
  const { shard } = options;
  const conflicting = shard
    ? contents.manifests.filter((name) => {
        const match = SHARD_MANIFEST_PATTERN.exec(name);
        return !match || name === shardManifestName(shard) || Number(match[2]) !== shard.count;
      })
    : [...contents.written, ...contents.other];
  if (conflicting.length === 0) return;
  if (!options.force) throw heldRunError(out, shard ? conflicting : contents.manifests, contents);
  // The files of the manifests in the way; a file another shard of this job lists stays.
  const keep = shard ? contents.manifests.filter((name) => !conflicting.includes(name)) : [];
  const kept = new Set((await readFolderContents(out, keep)).written);
  const remove = (
    await readFolderContents(
      out,
      conflicting.filter((name) => contents.manifests.includes(name)),
    )
  ).written.filter((name) => !kept.has(name));
  await removeEarlierRun(out, remove, shard ? 0 : contents.other.length, log);
}

/** All images to explain, or this shard's block of them. */
async function selectImages(options: CamCommandOptions, model: ExplainedModel, log: Log): Promise<CamImage[]> {
  const allImages =
    options.dataset === 'folder' ? await folderCamImages(options, model, log) : await collectImages(options);
  if (!options.shard) return allImages;
  // Ids are assigned over all images first, so every shard names its files the same way.
  const camImages = shardOf(allImages, options.shard);
  log.info(`shard ${options.shard.index}/${options.shard.count}: ${camImages.length} of ${allImages.length} input(s)`);
  return camImages;
}

function logPlan(count: number, model: ExplainedModel, options: ExplainOptions, log: Log): void {
  const { cut, layerName } = model;
  log.info(
    `explaining ${count} image(s) at layer ${layerName} [${cut.activationShape.join('×')}] with ${describeMethod(options)}`,
  );
  if (options.method.name === 'scorecam') {
    // Score-CAM's cost is one forward pass per channel; say so before a long wait.
    const channels = Math.min(cut.activationShape[2], options.maxChannels ?? Infinity);
    const copies = options.smooth ? ` × ${options.smooth.samples} noisy copies` : '';
    const hint = options.maxChannels === undefined ? '; --max-channels N caps this' : '';
    log.info(`scorecam runs the model on ${channels} masked inputs per image${copies}${hint}`);
  }
}

/** Explains the images batch by batch and writes each one's files; bad images are recorded and skipped. */
async function explainImages(
  camImages: CamImage[],
  run: { model: ExplainedModel; target: TargetSpec; options: ExplainOptions; batchSize: number; out: string },
  log: Log,
): Promise<Pick<CamManifest, 'entries' | 'failures'>> {
  const { model, target, options, batchSize, out } = run;
  const entries: ManifestEntry[] = [];
  const failures: CamManifest['failures'] = [];
  for (let start = 0; start < camImages.length; start += batchSize) {
    const batch = camImages.slice(start, start + batchSize);
    const loaded = await loadBatch(batch, failures, log);
    if (loaded.length === 0) continue;
    const explanations = explainLoaded(model, loaded, target, options);
    await forOption('--out', () => createOutputDirectory(out));
    for (const [position, { camImage, image }] of loaded.entries()) {
      const mine = explanations.filter((explanation) => explanation.image === position);
      try {
        entries.push(...(await writeOutputs(out, camImage, image, mine, model, target.kind === 'top-k')));
      } catch (error) {
        throw new InputError(`--out ${out}: cannot write (${fsReasonOf(error)})`);
      }
    }
  }
  return { entries, failures };
}

function warnEmptyMaps(entries: ManifestEntry[], method: CamMethodName, log: Log): void {
  const empty = entries.filter((entry) => entry.empty);
  if (empty.length === 0) return;
  // Channel-averaged weights can cancel every location's evidence; element-wise methods keep it.
  const hint = method === 'gradcam' ? ' (--method hirescam or gradcam++ may show where the evidence is)' : '';
  log.warn(
    `${empty.length} map(s) had no positive value and were written as zeros${hint}: ${empty.map((e) => e.id).join(', ')}`,
  );
}

async function writeManifest(out: string, manifest: CamManifest, shard: Shard | undefined): Promise<string> {
  const manifestPath = join(out, shard ? shardManifestName(shard) : MANIFEST_FILE);
  await forOption('--out', () => createOutputDirectory(out));
  await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`).catch((error: unknown) => {
    throw new InputError(`--out ${out}: cannot write ${manifestPath} (${fsReasonOf(error)})`);
  });
  return manifestPath;
}

function checkImageOptions(options: CamCommandOptions): void {
  const files = (options.image?.length ?? 0) + (options.images?.length ?? 0);
  if (files === 0 && !options.dataset)
    throw new UsageError('nothing to explain: give --image FILE, --images DIR or --dataset NAME');
  if (options.dataset && files > 0) throw new UsageError('--dataset cannot be combined with --image/--images');
  if (options.dataset && options.index === undefined && options.count === undefined) {
    throw new UsageError(`--dataset ${options.dataset}: give --index 0,7,42 or --count N`);
  }
  if (!options.dataset && (options.index !== undefined || options.count !== undefined || options.data !== undefined)) {
    throw new UsageError('--index, --count and --data need --dataset');
  }
  if (options.index !== undefined && options.count !== undefined)
    throw new UsageError('--index and --count cannot be combined');
  if (options.topK !== undefined && options.class !== 'top')
    throw new UsageError('--top-k and --class cannot be combined');
  if (options.smooth === undefined && (options.noise !== undefined || options.seed !== undefined)) {
    throw new UsageError('--noise and --seed set the SmoothGrad noise: they need --smooth N');
  }
  if (options.maxChannels !== undefined && options.method !== 'scorecam') {
    throw new UsageError(`--max-channels: only --method scorecam uses it (got --method ${options.method})`);
  }
  if (options.counterfactual && !CAM_METHODS[options.method].usesGradients) {
    throw new UsageError(
      `--counterfactual negates gradients; --method ${options.method} uses none (use a gradient-based method)`,
    );
  }
}

/** The gradients the chosen method and --guided take. */
function gradientNeeds(options: CamCommandOptions): GradientNeed[] {
  const needs: GradientNeed[] = [];
  if (CAM_METHODS[options.method].usesGradients) {
    needs.push({
      option: `--method ${options.method}`,
      toImage: false,
      instead: 'explain a layer after it with --layer, or use --method scorecam or eigencam',
    });
  }
  if (options.guided) needs.push({ option: '--guided', toImage: true, instead: 'leave out --guided' });
  return needs;
}

const DEFAULT_NOISE = 0.15;
const DEFAULT_SEED = 0;

/** The command's method options → what explainBatch needs. */
function explainOptionsOf(options: CamCommandOptions): ExplainOptions {
  return {
    method: CAM_METHODS[options.method],
    counterfactual: options.counterfactual,
    guided: options.guided ?? false,
    smooth:
      options.smooth === undefined
        ? undefined
        : { samples: options.smooth, noise: options.noise ?? DEFAULT_NOISE, seed: options.seed ?? DEFAULT_SEED },
    maxChannels: options.maxChannels,
    forwardBatchSize: options.batchSize,
  };
}

/** `scorecam (at most 16 channels), SmoothGrad 4 × 15% noise (seed 0), guided backpropagation`, for the progress line. */
function describeMethod(options: ExplainOptions): string {
  const parts = [
    options.method.name + (options.maxChannels !== undefined ? ` (at most ${options.maxChannels} channels)` : ''),
  ];
  if (options.smooth)
    parts.push(
      `SmoothGrad ${options.smooth.samples} × ${Number((options.smooth.noise * 100).toPrecision(6))}% noise (seed ${options.smooth.seed})`,
    );
  if (options.guided) parts.push('guided backpropagation');
  return parts.join(', ');
}

/** `--class top|N|name` or `--top-k K` → the target spec; class names are matched exactly. */
function targetSpec(options: CamCommandOptions, classNames: string[]): TargetSpec {
  if (options.topK !== undefined) return { kind: 'top-k', k: Math.min(options.topK, classNames.length) };
  if (options.class === 'top') return { kind: 'top' };
  const byName = classNames.indexOf(options.class);
  if (byName >= 0) return { kind: 'class', index: byName };
  if (/^\d+$/.test(options.class)) {
    const index = Number(options.class);
    if (index < classNames.length) return { kind: 'class', index };
    throw new UsageError(
      `--class ${options.class}: the model has ${classNames.length} classes (0–${classNames.length - 1})`,
    );
  }
  throw new UsageError(`--class ${options.class}: not a class of this model; classes: ${classNames.join(', ')}`);
}

async function collectImages(options: CamCommandOptions): Promise<CamImage[]> {
  if (!options.dataset) return forOption('--images', () => imagesFromFiles(options.image ?? [], options.images ?? []));
  const { test } = await loadDatasetOption(options.dataset, { data: options.data, splits: ['test'] });
  const indices = options.index ?? Array.from({ length: Math.min(options.count ?? 0, test.count) }, (_, i) => i);
  const dataset = options.dataset;
  return forOption('--index', () => imagesFromDataset(test, dataset, indices));
}

/**
 * Test images of a folder dataset, read from their files: test/, or the validation split the
 * model was trained with (gradcam.json records the fraction and the seed).
 */
async function folderCamImages(options: CamCommandOptions, model: ExplainedModel, log: Log): Promise<CamImage[]> {
  if (options.data === undefined)
    throw new UsageError(
      '--dataset folder needs --data DIR, the folder the model was trained on (or one laid out like it)',
    );
  const root = resolve(options.data);
  const heldOut = await heldOutFolder(model, root, options.model);
  const splits = await relabel(() => folderSplits(root, heldOut));
  const modelClassOf = folderClassesInModel(splits.classNames, model, options, root);
  log.info(`${splits.testFiles.length} ${splits.testSplit} images in ${root}`);
  const indices =
    options.index ?? Array.from({ length: Math.min(options.count ?? 0, splits.testFiles.length) }, (_, i) => i);
  const files = splits.testFiles.map((file) => ({ ...file, label: modelClassOf[file.label] }));
  return forOption('--index', () => imagesFromFolder(files, splits.testSplit, indices));
}

/**
 * The model's class of each folder class. Named classes (gradcam.json, --labels) are matched by
 * name, so a folder of someone else's model may hold a few of its classes; a model whose classes
 * have no names must have as many as the folder, taken in order.
 */
function folderClassesInModel(
  folderClasses: readonly string[],
  model: ExplainedModel,
  options: CamCommandOptions,
  root: string,
): number[] {
  const named = model.metadata !== undefined || options.labels !== undefined;
  if (named) {
    const match = matchClasses(folderClasses, model.classNames);
    if ('modelClassOfLabel' in match) return match.modelClassOfLabel;
    throw new UsageError(`--data ${root}: ${match.unknown} (${model.classNames.join(', ')})`);
  }
  if (folderClasses.length === model.classNames.length) return folderClasses.map((_, index) => index);
  throw new UsageError(
    `--data ${root}: its ${folderClasses.length} classes (${folderClasses.join(', ')}) are not the model's ${model.classNames.length} (give --labels FILE to match them by name)`,
  );
}

interface LoadedImage {
  camImage: CamImage;
  image: DecodedImage;
}

/** Decodes a batch's images; a bad one is reported and recorded, the rest go on. */
async function loadBatch(batch: CamImage[], failures: CamManifest['failures'], log: Log): Promise<LoadedImage[]> {
  const loaded: LoadedImage[] = [];
  for (const camImage of batch) {
    try {
      loaded.push({ camImage, image: await camImage.read() });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      failures.push({ source: camImage.source, error: error.message });
      log.error(error.message);
    }
  }
  return loaded;
}

function explainLoaded(
  model: ExplainedModel,
  loaded: LoadedImage[],
  target: TargetSpec,
  options: ExplainOptions,
): Explanation[] {
  const { cut, inputShape, preprocessing } = model;
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const pixels = new Float32Array(loaded.length * size);
  loaded.forEach(({ image }, index) => pixels.set(toModelInput(image, inputShape, preprocessing), index * size));
  const images = tf.tensor4d(pixels, [loaded.length, ...inputShape]);
  try {
    return explainBatch(cut, images, target, options);
  } finally {
    images.dispose();
  }
}

/** Writes one image's maps and the image itself (`<id>.input.png`); returns its manifest entries. */
async function writeOutputs(
  out: string,
  camImage: CamImage,
  image: DecodedImage,
  explanations: Explanation[],
  model: ExplainedModel,
  perClassNames: boolean,
): Promise<ManifestEntry[]> {
  const { cut, inputShape, classNames, preprocessing } = model;
  const inputFile = `${camImage.id}.input.png`;
  await writePngAtomic(join(out, inputFile), image);
  const [h, w] = cut.activationShape;
  const entries: ManifestEntry[] = [];
  for (const explanation of explanations) {
    const id = perClassNames ? `${camImage.id}-c${explanation.target.index}` : camImage.id;
    const heatmap = `${id}.npy`;
    await writeNpyAtomic(join(out, heatmap), explanation.map, [h, w]);
    const guided = explanation.guided ? `${id}.guided.npy` : undefined;
    // ∂y/∂input in the model's channel order; written in R, G, B order so it draws in the image's colours.
    if (guided && explanation.guided)
      await writeNpyAtomic(join(out, guided), toRgbOrder(explanation.guided, inputShape[2], preprocessing), inputShape);
    entries.push({
      id,
      source: camImage.source,
      input: inputFile,
      heatmap,
      predicted: { ...explanation.predicted, name: classNames[explanation.predicted.index] },
      target: { ...explanation.target, name: classNames[explanation.target.index] },
      // The dataset's label, named by the model's classes (the same list when it was trained on it).
      ...(camImage.label === undefined
        ? {}
        : { label: { index: camImage.label, name: classNames[camImage.label] ?? String(camImage.label) } }),
      rawMax: explanation.rawMax,
      empty: explanation.empty,
      ...(guided ? { guided } : {}),
    });
  }
  return entries;
}
