/** `gradcam render`'s options. */
import { imageSize, integerIn, numberIn } from './option-parsers.js';
import { defineOptions, type OptionValues } from './option-table.js';
import { COLORMAP_NAMES } from '../render/colormaps.js';

export const RENDER_OPTIONS = defineOptions({
  cam: { flags: '--cam <dir>', description: 'output directory of `gradcam cam` (reads its cam.json)' },
  heatmap: { flags: '--heatmap <file>', description: 'a single map (.npy, float32/float64 [h, w]) ...' },
  image: { flags: '--image <file>', description: '... and the image it explains (PNG/JPEG)' },
  out: {
    flags: '--out <dir>',
    description:
      "where to write the PNGs; another folder than the source's must be new, empty or hold this run's renders (default: the --cam directory, or the heatmap's)",
  },
  force: {
    flags: '--force',
    description: 'use an --out that holds another run: first remove what gradcam wrote there (nothing else)',
    default: false,
  },
  alpha: { flags: '--alpha <a>', description: 'heatmap weight in the blend, 0–1', parse: numberIn(0, 1), default: 0.4 },
  colormap: { flags: '--colormap <name>', description: 'colormap', choices: COLORMAP_NAMES, default: 'jet' },
  size: {
    flags: '--size <size>',
    description: "output size: 'original' (the image's) or WxH, e.g. 224x224",
    parse: imageSize,
    default: 'original',
  },
  scale: { flags: '--scale <n>', description: 'enlarge the outputs N times', parse: integerIn(1, 64), default: 1 },
  grid: {
    flags: '--grid <file>',
    description: 'also write one contact sheet PNG: a row per entry (original, heatmap, blend) under its caption',
  },
  caption: {
    flags: '--caption',
    description:
      'also caption each blend_<id>.png (true class, prediction and probability, explained class, method); needs --cam',
    default: false,
  },
  html: {
    flags: '--html <file>',
    description: 'where to write the HTML gallery (default: index.html in --out); needs --cam',
  },
  gallery: { flags: '--no-gallery', description: 'do not write the HTML gallery' },
  json: { flags: '--json', description: 'print what was written as JSON on stdout', default: false },
  quiet: { flags: '--quiet', description: 'print nothing but errors', default: false },
});

export type RenderCommandOptions = OptionValues<typeof RENDER_OPTIONS>;
