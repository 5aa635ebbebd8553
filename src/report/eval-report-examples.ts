/**
 * The example renders of the report page: each kept test image, then its map from every method
 * drawn as `render` draws it (bilinear upsampling, OpenCV JET, alpha 0.4 over the image), as PNG
 * `data:` URLs so the page needs no other file.
 */
import { encodePng } from '../io/image-codec.js';
import type { ImageSet } from '../datasets/image-set.js';
import { drawExplanation } from '../render/draw.js';
import type { ExampleImage } from '../eval/evaluate.js';

export interface ExampleTile {
  /** Column heading: 'input' or a method name. */
  label: string;
  /** `data:image/png;base64,…` */
  src: string;
  width: number;
  height: number;
}

export interface ExampleRow {
  /** e.g. `test #7: label 2, predicted 2 (99.1%)` */
  caption: string;
  tiles: ExampleTile[];
}

/** Tiles are enlarged by an integer factor to at least this many pixels a side. */
const MIN_TILE_SIDE = 96;
const BLEND_ALPHA = 0.4;

/**
 * @param examples images and their maps (float32 [mapHeight × mapWidth], [0, 1]) per source
 * @param set the uint8 test split the examples index into
 * @param methods the method names to draw, in column order
 * @param names for captions: the dataset's class names by label, the model's by class index
 */
export function renderExampleRows(
  examples: readonly ExampleImage[],
  set: ImageSet,
  methods: readonly string[],
  names: { labels: readonly string[]; classes: readonly string[] },
): ExampleRow[] {
  const scale = Math.max(1, Math.ceil(MIN_TILE_SIDE / Math.min(set.height, set.width)));
  const size = set.height * set.width * set.channels;
  return examples.map((example) => {
    const image = {
      data: set.images.subarray(example.datasetIndex * size, (example.datasetIndex + 1) * size),
      width: set.width,
      height: set.height,
      channels: set.channels as 1 | 3,
    };
    const tiles: ExampleTile[] = [];
    for (const method of methods) {
      const entry = example.maps.get(method);
      if (!entry) continue;
      const drawing = drawExplanation(entry.map, entry.shape[0], entry.shape[1], image, {
        scale,
        alpha: BLEND_ALPHA,
        colormap: 'jet',
      });
      if (tiles.length === 0) tiles.push(tile('input', drawing.original));
      tiles.push(tile(method, drawing.blend));
    }
    const probability = (100 * example.probability).toFixed(1);
    return {
      caption: `test #${example.datasetIndex}: label ${names.labels[example.label] ?? example.label}, predicted ${names.classes[example.predicted] ?? example.predicted} (${probability}%)`,
      tiles,
    };
  });
}

function tile(label: string, picture: { data: Uint8Array; width: number; height: number }): ExampleTile {
  const png = encodePng({ ...picture, channels: 3 });
  return {
    label,
    src: `data:image/png;base64,${Buffer.from(png).toString('base64')}`,
    width: picture.width,
    height: picture.height,
  };
}
