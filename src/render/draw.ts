/**
 * Draws one explanation: the map upsampled to the output size (bilinear, half-pixel centres, as
 * `cv2.resize` INTER_LINEAR), colorized (JET by default, as `cv2.applyColorMap`), and alpha-blended
 * over the image. Pure: arrays in, arrays out.
 * The blend is a true alpha blend, (1 − α)·image + α·heatmap, not an additive one (docs/render.md).
 */
import { resizeBilinear, resizeImage, roundToBytes } from '../io/resize.js';
import { applyColormap, type ColormapName } from './colormaps.js';
import { blend, grayToRgb, type RgbImage } from './compose.js';

export interface DrawOptions {
  /** Output size before `scale`; undefined = the image's own size. */
  size?: { width: number; height: number };
  /** Integer enlargement of the outputs (tiny 28×28 images are hard to see 1:1). */
  scale: number;
  alpha: number;
  colormap: ColormapName;
}

export interface Drawing {
  original: RgbImage;
  heatmap: RgbImage;
  blend: RgbImage;
}

/**
 * map: float32 [mapHeight × mapWidth], values in [0, 1] (clipped). image: uint8 HWC, 1 or 3
 * channels. Returns three RGB pictures of the output size.
 */
export function drawExplanation(
  map: Float32Array,
  mapHeight: number,
  mapWidth: number,
  image: { data: Uint8Array; width: number; height: number; channels: 1 | 3 },
  options: DrawOptions,
): Drawing {
  const width = (options.size?.width ?? image.width) * options.scale;
  const height = (options.size?.height ?? image.height) * options.scale;
  const rgb = image.channels === 1 ? grayToRgb(image.data) : image.data;
  // The image: area averaging where it shrinks, bilinear where it grows (resizeImage).
  const original =
    width === image.width && height === image.height
      ? rgb
      : roundToBytes(resizeImage(rgb, image.height, image.width, 3, height, width));
  const upsampled = resizeBilinear(clipToUnit(map), mapHeight, mapWidth, 1, height, width);
  const heatmap = applyColormap(upsampled, options.colormap);
  return {
    original: { data: original, width, height },
    heatmap: { data: heatmap, width, height },
    blend: { data: blend(original, heatmap, options.alpha), width, height },
  };
}

function clipToUnit(map: Float32Array): Float32Array {
  return map.map((value) => Math.min(1, Math.max(0, value)));
}
