/**
 * `gradcam demo`: the whole train → cam → render chain on the embedded MNIST, in a few minutes on
 * a laptop CPU, leaving everything in one directory:
 *   <out>/model/        the trained model directory
 *   <out>/cam/          maps (.npy), input images and cam.json
 *   <out>/*.png         heatmap_, blend_ and original_ PNGs, and grid.png (a captioned row per digit)
 *   <out>/index.html    the gallery of the same pictures
 *   <out>/render.json   what render wrote there (so a re-run replaces exactly that)
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { GlobalOptions } from './option-table.js';
import { stderrLog } from '../log.js';
import { defaultsOf } from './option-table.js';
import { CAM_OPTIONS } from './cam-options.js';
import type { DemoCommandOptions } from './demo-options.js';
import { RENDER_OPTIONS } from './render-options.js';
import { TRAIN_OPTIONS } from './train-options.js';
import { runCam } from './cam.js';
import { runRender } from './render.js';
import { createTrainingReporter } from './training-progress.js';
import { resolveTrainSettings, runTrain } from './train.js';

/** Digits are tiny: 28×28 drawn 8× larger (224×224) so the heatmap can be seen. */
const DEMO_RENDER_SCALE = 8;

export async function demoCommand(options: DemoCommandOptions, globals: GlobalOptions): Promise<number> {
  const log = stderrLog(options.quiet);
  const steps = stderrLog(options.quiet, 'gradcam demo');
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });

  const settings = resolveTrainSettings({
    ...defaultsOf(TRAIN_OPTIONS),
    dataset: 'mnist',
    out: join(out, 'model'),
    force: true, // the demo directory is ours: re-running replaces its model
    limit: options.limit,
    quiet: options.quiet,
  });
  steps.info(`1/3 training on ${options.limit} embedded MNIST digits`);
  const trained = await runTrain(settings, globals, log, createTrainingReporter(settings.epochs, options.quiet));

  steps.info(`2/3 explaining ${options.count} test digits`);
  const cam = await runCam(
    {
      ...defaultsOf(CAM_OPTIONS),
      model: trained.out,
      dataset: 'mnist',
      count: options.count,
      out: join(out, 'cam'),
      force: true, // as for the model: re-running replaces the maps of the last demo
      quiet: options.quiet,
    },
    globals,
    log,
  );

  steps.info('3/3 rendering');
  const render = await runRender(
    {
      ...defaultsOf(RENDER_OPTIONS),
      cam: join(out, 'cam'),
      out,
      scale: DEMO_RENDER_SCALE,
      grid: join(out, 'grid.png'),
      // The demo folder also holds model/ and cam/ (kept); re-running replaces the last renders.
      force: true,
      quiet: options.quiet,
    },
    log,
  );

  const accuracy = trained.testAccuracy === null ? 'n/a' : `${(100 * trained.testAccuracy).toFixed(2)}%`;
  steps.info(`test accuracy ${accuracy}; ${cam.manifest.entries.length} maps; see ${render.grid} and ${render.html}`);
  process.stdout.write(`${render.grid}\n`);
  return 0;
}
