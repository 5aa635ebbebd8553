/**
 * PNG and JPEG in and out, as 8-bit interleaved pixels. Decoding is via pngjs and jpeg-js (pure
 * JavaScript, so it behaves the same on every backend); this module adds what they lack: format
 * sniffing from the bytes, a size limit enforced from the header before anything is allocated,
 * one pixel layout for every PNG colour type, and one-line errors that name the file.
 */
import { crc32, inflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG, type PackerOptions } from 'pngjs';
import { InputError, messageOf } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { readUserFile } from './read-files.js';

/** 8-bit pixels, interleaved HWC in row-major order: `data.length === height * width * channels`. */
export interface DecodedImage {
  /** Values 0..255; channel order R, G, B for colour images. */
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 = grayscale, 3 = RGB. Alpha is never kept (see compositeOverBlack). */
  channels: 1 | 3;
}

/**
 * The largest image accepted (width × height), checked against the file header before decoding.
 * 50 MP covers any camera photo; decoding one takes ~0.2 GB (pngjs RGBA) to ~1 GB (jpeg-js's
 * coefficient buffers), and a crafted header claiming more is refused without allocating.
 */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** jpeg-js refuses to exceed this; a 50 MP colour JPEG needs about 1 GB of its buffers. */
const JPEG_DECODER_MEMORY_MB = 2048;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

type ImageFormat = 'PNG' | 'JPEG';

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte);
}

/**
 * Decodes a PNG or JPEG, recognised by its leading bytes (never by the file name).
 *
 * PNG: every colour type and bit depth. Gray and gray+alpha give 1 channel, RGB, RGBA and palette
 * give 3; 1/2/4/16-bit samples are rescaled to 8 bits by pngjs, rounding to nearest
 * (16-bit v → round(v · 255 / 65535)); alpha (including tRNS transparency) is composited over black.
 * JPEG: baseline and progressive, 8-bit; 1-component (grayscale) JPEGs give 1 channel, YCbCr and
 * CMYK ones 3. The EXIF orientation tag is not applied: pixels come out as stored.
 *
 * @param bytes  the whole file.
 * @param source the file name, used in error messages.
 * @returns pixels 0..255, HWC row-major, 1 or 3 channels.
 * @throws InputError (one line, starting with `source`) for empty, unrecognised, corrupt or
 *         truncated files and for images over MAX_IMAGE_PIXELS.
 */
export function decodeImage(bytes: Uint8Array, source: string): DecodedImage {
  if (bytes.length === 0) throw new InputError(`${source}: empty file; expected a PNG or JPEG image`);
  if (startsWith(bytes, PNG_SIGNATURE)) return decodePng(bytes, source);
  if (startsWith(bytes, JPEG_SIGNATURE)) return decodeJpeg(bytes, source);
  const leading = [...bytes.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  throw new InputError(`${source}: not a PNG or JPEG image (it starts with the bytes ${leading})`);
}

/** Refuses dimensions that are empty or above MAX_IMAGE_PIXELS, as claimed by a header. */
function checkClaimedSize(width: number, height: number, format: ImageFormat, source: string): void {
  if (width === 0 || height === 0) {
    throw new InputError(`${source}: the ${format} header claims a ${width}x${height} image; expected at least 1x1`);
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    const megapixels = ((width * height) / 1e6).toFixed(1);
    throw new InputError(
      `${source}: the ${format} header claims ${width}x${height} pixels (${megapixels} MP), ` +
        `more than the ${MAX_IMAGE_PIXELS / 1e6} MP this tool decodes`,
    );
  }
}

/**
 * The decoder's own message, kept to one line, after ours. A TypeError or RangeError is the
 * decoder tripping over data it did not expect (jpeg-js: "Cannot read properties of undefined
 * (reading '0')"), which tells the user nothing: say so plainly instead.
 */
function decoderFailure(source: string, format: ImageFormat, error: unknown): InputError {
  const crashed = error instanceof TypeError || error instanceof RangeError;
  const detail = crashed ? 'malformed data it cannot follow' : messageOf(error).split('\n')[0];
  return new InputError(`${source}: corrupt or truncated ${format} file (decoder: ${detail})`);
}

function decodePng(bytes: Uint8Array, source: string): DecodedImage {
  const header = readPngHeader(bytes, source);
  checkClaimedSize(header.width, header.height, 'PNG', source);
  const length = checkPngStructure(bytes, header, source);

  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, length));
  } catch (error) {
    // pngjs's synchronous reader loses its parser's own error and throws this instead; after
    // checkPngStructure, what is left is a chunk it refused (e.g. tRNS before PLTE).
    const masked = messageOf(error) === 'unrecognised content at end of stream';
    throw decoderFailure(source, 'PNG', masked ? 'a chunk is malformed or out of order' : error);
  }
  // pngjs always returns 8-bit RGBA (gray replicated, palette looked up, tRNS turned into alpha);
  // `color` says whether the file held colour at all.
  const channels = png.color ? 3 : 1;
  return { data: compositeOverBlack(png.data, channels), width: png.width, height: png.height, channels };
}

/** The IHDR fields that decide how many bytes the image data must inflate to. */
interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/** Samples per pixel and allowed bit depths of each PNG colour type (PNG spec, table 11.1). */
const PNG_COLOR_TYPES = new Map<number, { samples: number; depths: number[] }>([
  [0, { samples: 1, depths: [1, 2, 4, 8, 16] }], // gray
  [2, { samples: 3, depths: [8, 16] }], // RGB
  [3, { samples: 1, depths: [1, 2, 4, 8] }], // palette index
  [4, { samples: 2, depths: [8, 16] }], // gray + alpha
  [6, { samples: 4, depths: [8, 16] }], // RGBA
]);

const KNOWN_CRITICAL_CHUNKS = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND']);

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

/** Reads IHDR, which must be the first chunk: length 13, "IHDR", width, height, depth, type, …. */
function readPngHeader(bytes: Uint8Array, source: string): PngHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33 || view.getUint32(8) !== 13 || chunkType(bytes, 12) !== 'IHDR') {
    throw new InputError(`${source}: corrupt or truncated PNG file (no IHDR header chunk)`);
  }
  const header = {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24],
    colorType: bytes[25],
    interlaced: bytes[28] === 1,
  };
  // Compression, filter method and interlace: 0, 0 and 0 or 1 are the only ones defined.
  if (bytes[26] !== 0 || bytes[27] !== 0 || bytes[28] > 1) {
    throw new InputError(`${source}: corrupt PNG file (unknown compression, filter or interlace method in IHDR)`);
  }
  if (!PNG_COLOR_TYPES.get(header.colorType)?.depths.includes(header.bitDepth)) {
    throw new InputError(
      `${source}: corrupt PNG file (colour type ${header.colorType} with bit depth ${header.bitDepth} does not exist)`,
    );
  }
  return header;
}

/**
 * Checks what pngjs lets through on Node 20: its synchronous reader reports any mid-file error as
 * "unrecognised content at end of stream", and it silently returns black pixels for image data
 * that is not valid zlib or is too short. So: every chunk must fit in the file and match its CRC,
 * unknown critical chunks are refused, a palette image needs PLTE, and the IDAT stream must
 * inflate to exactly the size IHDR implies (inflating it here costs a second decompression;
 * capping the output also defuses zlib bombs).
 *
 * @returns the file length through IEND: bytes after it are ignored, as libpng does.
 */
function checkPngStructure(bytes: Uint8Array, header: PngHeader, source: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const imageData: Uint8Array[] = [];
  let hasPalette = false;
  let offset = PNG_SIGNATURE.length;
  let end = offset;
  for (;;) {
    if (offset + 12 > bytes.length)
      throw new InputError(`${source}: truncated PNG file (it ends before the IEND chunk)`);
    const dataLength = view.getUint32(offset);
    const type = chunkType(bytes, offset + 4);
    end = offset + 12 + dataLength;
    if (end > bytes.length) {
      throw new InputError(
        `${source}: truncated PNG file (chunk ${JSON.stringify(type)} at byte ${offset} runs past the end)`,
      );
    }
    if (crc32(bytes.subarray(offset + 4, end - 4)) !== view.getUint32(end - 4)) {
      throw new InputError(
        `${source}: corrupt PNG file (CRC mismatch in chunk ${JSON.stringify(type)} at byte ${offset})`,
      );
    }
    // Bit 5 of the first letter clear = critical: a decoder that does not know it must refuse (PNG spec 5.4).
    if ((bytes[offset + 4] & 0x20) === 0 && !KNOWN_CRITICAL_CHUNKS.has(type)) {
      throw new InputError(
        `${source}: unsupported PNG file (unknown critical chunk ${JSON.stringify(type)} at byte ${offset})`,
      );
    }
    if (type === 'PLTE') hasPalette = true;
    if (type === 'IDAT') imageData.push(bytes.subarray(offset + 8, end - 4));
    if (type === 'IEND') break;
    offset = end;
  }
  if (header.colorType === 3 && !hasPalette)
    throw new InputError(`${source}: corrupt PNG file (palette image without a PLTE chunk)`);
  if (imageData.length === 0) throw new InputError(`${source}: corrupt PNG file (no IDAT image data)`);

  const expected = pngImageDataBytes(header);
  let inflated: number;
  try {
    // One byte of slack so that "too much data" is told apart from "exactly right".
    inflated = inflateSync(Buffer.concat(imageData), { maxOutputLength: expected + 1 }).length;
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    if (!tooLarge) throw new InputError(`${source}: corrupt or truncated PNG file (image data: ${messageOf(error)})`);
    inflated = expected + 1;
  }
  if (inflated !== expected) {
    const size = inflated > expected ? 'more than' : `${inflated} bytes, not`;
    throw new InputError(
      `${source}: corrupt PNG file (image data inflates to ${size} the ${expected} bytes IHDR implies)`,
    );
  }
  return end;
}

/** Adam7 passes as (first column, first row, column step, row step). */
const ADAM7_PASSES = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Bytes of filtered scanlines (one filter byte per row) that a PNG with `header` must inflate to. */
function pngImageDataBytes(header: PngHeader): number {
  const bitsPerPixel = (PNG_COLOR_TYPES.get(header.colorType)?.samples ?? 0) * header.bitDepth;
  const rowBytes = (width: number): number => 1 + Math.ceil((width * bitsPerPixel) / 8);
  if (!header.interlaced) return header.height * rowBytes(header.width);
  let total = 0;
  for (const [column, row, columnStep, rowStep] of ADAM7_PASSES) {
    const passWidth = Math.ceil(Math.max(0, header.width - column) / columnStep);
    const passHeight = Math.ceil(Math.max(0, header.height - row) / rowStep);
    // An empty pass has no rows at all, not even filter bytes.
    if (passWidth > 0) total += passHeight * rowBytes(passWidth);
  }
  return total;
}

/**
 * RGBA → `channels` (1: the R sample, 3: RGB), each sample multiplied by alpha / 255 and rounded.
 *
 * Why composite over black instead of dropping alpha: a fully transparent pixel's stored colour is
 * arbitrary (editors leave whatever was there), and pngjs already turns tRNS colour-key pixels
 * into (0, 0, 0, 0); compositing gives every kind of transparency the same, defined answer.
 *
 * @param rgba `4 · pixels` bytes, as pngjs returns them.
 * @returns `channels · pixels` bytes, 0..255.
 */
function compositeOverBlack(rgba: Uint8Array, channels: 1 | 3): Uint8Array {
  const pixels = rgba.length / 4;
  const out = new Uint8Array(pixels * channels);
  for (let pixel = 0; pixel < pixels; pixel += 1) {
    const alpha = rgba[4 * pixel + 3];
    for (let channel = 0; channel < channels; channel += 1) {
      const value = rgba[4 * pixel + channel];
      out[channels * pixel + channel] = alpha === 255 ? value : Math.round((value * alpha) / 255);
    }
  }
  return out;
}

/** Frame header facts read straight from the JPEG markers, before jpeg-js sees the file. */
interface JpegFrame {
  marker: number;
  precision: number;
  width: number;
  height: number;
  components: number;
  /** Horizontal and vertical sampling factor of each component (1–4 each in a valid file). */
  sampling: { horizontal: number; vertical: number }[];
}

/** SOF0 baseline, SOF1 extended sequential, SOF2 progressive: the Huffman-coded kinds jpeg-js decodes. */
const DECODABLE_SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2]);

function isStartOfFrame(marker: number): boolean {
  // 0xC0..0xCF are frame headers except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Walks the marker segments from SOI to the first SOFn and reads its dimensions. Only segment
 * lengths are followed, so the cost is a few reads however large the image claims to be.
 */
function readJpegFrame(bytes: Uint8Array, source: string): JpegFrame {
  const truncated = (): never => {
    throw new InputError(`${source}: corrupt or truncated JPEG file (no frame header before the image data)`);
  };
  const u16 = (at: number): number => (bytes[at] << 8) | bytes[at + 1];
  let offset = 2; // after SOI
  for (;;) {
    if (offset >= bytes.length) return truncated();
    if (bytes[offset] !== 0xff) {
      throw new InputError(`${source}: corrupt JPEG file (expected a marker at byte ${offset})`);
    }
    while (bytes[offset] === 0xff) offset += 1; // fill bytes may precede any marker
    if (offset >= bytes.length) return truncated();
    const marker = bytes[offset];
    offset += 1;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // TEM and RSTn carry no length
    if (marker === 0xd9 || marker === 0xda) return truncated(); // EOI or SOS before any frame
    if (offset + 2 > bytes.length) return truncated();
    const segmentLength = u16(offset);
    if (isStartOfFrame(marker)) {
      if (offset + 8 > bytes.length) return truncated();
      const components = bytes[offset + 7];
      // Each component: identifier, sampling factors (H << 4 | V), quantization table.
      if (offset + 8 + 3 * components > bytes.length) return truncated();
      const sampling = Array.from({ length: components }, (_, i) => ({
        horizontal: bytes[offset + 9 + 3 * i] >> 4,
        vertical: bytes[offset + 9 + 3 * i] & 0x0f,
      }));
      return {
        marker,
        precision: bytes[offset + 2],
        height: u16(offset + 3),
        width: u16(offset + 5),
        components,
        sampling,
      };
    }
    if (segmentLength < 2) throw new InputError(`${source}: corrupt JPEG file (bad segment length at byte ${offset})`);
    offset += segmentLength;
  }
}

/**
 * The fewest bytes a complete JPEG of `frame` can have. Every 8×8 block of every component carries
 * at least one Huffman-coded DC symbol, and Huffman codes are at least 1 bit long (ITU T.81, F.1.2.1
 * and G.1.2.1), so the entropy-coded data alone is at least one bit per block. jpeg-js allocates
 * and decodes the whole claimed frame even when the data runs out, so without this a 2 KB file
 * claiming 7000×7000 costs 8 s and 1.5 GB before it is found truncated.
 */
function minimumJpegBytes(frame: JpegFrame): number {
  const maxHorizontal = Math.max(...frame.sampling.map((factors) => factors.horizontal));
  const maxVertical = Math.max(...frame.sampling.map((factors) => factors.vertical));
  let blocks = 0;
  for (const { horizontal, vertical } of frame.sampling) {
    const columns = Math.ceil(Math.ceil((frame.width * horizontal) / maxHorizontal) / 8);
    const rows = Math.ceil(Math.ceil((frame.height * vertical) / maxVertical) / 8);
    blocks += columns * rows;
  }
  return Math.ceil(blocks / 8);
}

function decodeJpeg(bytes: Uint8Array, source: string): DecodedImage {
  const frame = readJpegFrame(bytes, source);
  // Height 0 means "given later in a DNL marker", which jpeg-js does not support either.
  checkClaimedSize(frame.width, frame.height, 'JPEG', source);
  if (!DECODABLE_SOF_MARKERS.has(frame.marker) || frame.precision !== 8) {
    throw new InputError(
      `${source}: unsupported JPEG coding (SOF marker 0x${frame.marker.toString(16)}, ${frame.precision}-bit); ` +
        'expected 8-bit baseline or progressive',
    );
  }
  const badFactors = frame.sampling.some(
    ({ horizontal, vertical }) => horizontal < 1 || horizontal > 4 || vertical < 1 || vertical > 4,
  );
  if (frame.components === 0 || badFactors) {
    throw new InputError(
      `${source}: corrupt JPEG file (frame header with ${frame.components} components or a sampling factor outside 1-4)`,
    );
  }
  const needed = minimumJpegBytes(frame);
  if (bytes.length < needed) {
    throw new InputError(
      `${source}: truncated JPEG file (${bytes.length} bytes; a ${frame.width}x${frame.height} image needs at least ${needed})`,
    );
  }

  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      // Second line of defence behind checkClaimedSize, in jpeg-js's own units.
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: JPEG_DECODER_MEMORY_MB,
    });
  } catch (error) {
    throw decoderFailure(source, 'JPEG', error);
  }
  const { width, height, data: rgb } = decoded;
  if (frame.components !== 1) return { data: rgb, width, height, channels: 3 };
  // jpeg-js replicates a grayscale JPEG's single component into R, G and B; keep one.
  const gray = new Uint8Array(width * height);
  for (let pixel = 0; pixel < gray.length; pixel += 1) gray[pixel] = rgb[3 * pixel];
  return { data: gray, width, height, channels: 1 };
}

/**
 * Converts between grayscale and RGB.
 *
 * Gray → RGB replicates the value. RGB → gray is ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B,
 * rounded to nearest: the weights OpenCV (`COLOR_RGB2GRAY`) and PIL (`convert('L')`) use, so a
 * colour photo given to an MNIST model sees the gray image those tools would produce (they use
 * fixed-point versions of the weights, which can differ by 1 on rare values).
 *
 * @param image    HWC pixels 0..255 with 1 or 3 channels.
 * @param channels the channel count wanted.
 * @returns `image` itself when it already has `channels` channels, else a new image of the same size.
 */
export function toChannels(image: DecodedImage, channels: 1 | 3): DecodedImage {
  if (image.channels === channels) return image;
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * channels);
  if (channels === 3) {
    for (let pixel = 0; pixel < pixels; pixel += 1) data.fill(image.data[pixel], 3 * pixel, 3 * pixel + 3);
  } else {
    for (let pixel = 0; pixel < pixels; pixel += 1) {
      const red = image.data[3 * pixel];
      const green = image.data[3 * pixel + 1];
      const blue = image.data[3 * pixel + 2];
      data[pixel] = Math.round(0.299 * red + 0.587 * green + 0.114 * blue);
    }
  }
  return { data, width: image.width, height: image.height, channels };
}

/**
 * Encodes an 8-bit PNG without alpha: colour type 0 (gray) for 1 channel, 2 (RGB) for 3.
 *
 * @param image HWC pixels 0..255; `data.length` must be `width · height · channels`.
 * @returns the complete PNG file.
 * @throws RangeError if the image's fields disagree (a programming error, not bad input).
 */
export function encodePng(image: DecodedImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`encodePng: bad image size ${width}x${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `encodePng: ${width}x${height}x${channels} needs ${width * height * channels} bytes, got ${data.length}`,
    );
  }
  const colorType = channels === 1 ? 0 : 2;
  const options: PackerOptions = { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 };
  // PNG.sync.write reads only width, height, data and gamma (pngjs lib/packer-sync.js); building a
  // full PNG object would allocate an unused width·height·4 buffer.
  const frame = { width, height, gamma: 0, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
  const file = PNG.sync.write(frame as PNG, options);
  return new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
}

/** Writes `image` as a PNG file atomically (see encodePng). */
export async function writePngAtomic(path: string, image: DecodedImage): Promise<void> {
  await writeFileAtomic(path, encodePng(image));
}

/**
 * Reads and decodes an image file (see decodeImage).
 * @throws InputError naming `path` when it is missing, unreadable or not a usable PNG/JPEG.
 */
export async function readImageFile(path: string): Promise<DecodedImage> {
  return decodeImage(await readUserFile(path, 'a PNG or JPEG image'), path);
}
