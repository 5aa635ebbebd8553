import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  type DecodedImage,
  MAX_IMAGE_PIXELS,
  decodeImage,
  encodePng,
  readImageFile,
  toChannels,
  writePngAtomic,
} from '../../src/io/image-codec.js';

// ---- hand-built PNGs: every chunk with a real CRC, so only what a test means to break is broken.

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function chunk(type: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = bitDepth;
  data[9] = colorType;
  data[12] = interlace; // compression and filter method bytes stay 0
  return chunk('IHDR', data);
}

/** IDAT of unfiltered rows (filter byte 0 before each row of raw sample bytes). */
function idat(rows: number[][]): Buffer {
  return chunk('IDAT', deflateSync(Buffer.from(rows.flatMap((row) => [0, ...row]))));
}

function pngFile(...chunks: Buffer[]): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from(PNG_SIGNATURE), ...chunks, chunk('IEND')]));
}

/** A PNG written by pngjs's own encoder from raw samples of the given colour type (8-bit). */
function pngjsFile(width: number, height: number, colorType: 0 | 2 | 4 | 6, samples: number[]): Uint8Array {
  const frame = { width, height, gamma: 0, data: Buffer.from(samples) } as PNG;
  return new Uint8Array(
    PNG.sync.write(frame, { colorType, inputColorType: colorType, inputHasAlpha: colorType >= 4, bitDepth: 8 }),
  );
}

// ---- reference JPEGs written by libjpeg (via Python), pasted once:
// gray: cv2.imencode('.jpg', g, [cv2.IMWRITE_JPEG_QUALITY, 95]) with g[y, x] = 24x + 8y, 8x8, one component.
const GRAY_JPEG =
  'ffd8ffe000104a46494600010100000100010000ffdb0043000201010101010201010102020202020403020202020504' +
  '040304060506060605060606070908060709070606080b08090a0a0a0a0a06080b0c0b0a0c090a0a0affc0000b080008' +
  '000801011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b51000020103' +
  '03020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f024336272' +
  '82090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475' +
  '767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9' +
  'cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00f3ff00f82257ecdb' +
  'ff00208ff40fee7f0fd2bfffd9';
// progressive: PIL Image.fromarray(rgb).save(f, 'JPEG', quality=95, progressive=True, subsampling=0)
// with rgb[y, x] = (32x, 32y, 128), 8x8 (SOF2 marker, 4:4:4).
const PROGRESSIVE_JPEG =
  'ffd8ffe000104a46494600010100000100010000ffdb0043000201010101010201010102020202020403020202020504' +
  '040304060506060605060606070908060709070606080b08090a0a0a0a0a06080b0c0b0a0c090a0a0affdb0043010202' +
  '02020202050303050a0706070a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a' +
  '0a0a0a0a0a0a0a0a0a0a0a0a0a0affc20011080008000803011100021101031101ffc400140001000000000000000000' +
  '00000000000005ffc4001501010100000000000000000000000000000205ffda000c030100021003100000010a80ffc4' +
  '00161000030000000000000000000000000000000607ffda000801010001050254951fffc40018110002030000000000' +
  '00000000000000000006072232ffda0008010301013f018d9f7163ffc400181100020300000000000000000000000000' +
  '0005062231ffda0008010201013f017130db1fffc400171000030100000000000000000000000000000224a1ffda0008' +
  '010100063f0259b0ffc40014100100000000000000000000000000000000ffda0008010100013f2163ffda000c030100' +
  '02000300000010bfffc4001611000300000000000000000000000000000041a1ffda0008010301013f1082cfffc40015' +
  '110101000000000000000000000000000000f1ffda0008010201013f10b8ffc400151001010000000000000000000000' +
  '00000000a1ffda0008010100013f1084ff00ffd9';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

/** A minimal JPEG: SOI, an APP0 segment, then a frame header; no scan data. */
function jpegHeaderOnly(sofMarker: number, width: number, height: number, components = 3, precision = 8): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const componentSpecs = Array.from({ length: components }, (_, i) => [i + 1, 0x11, 0]).flat();
  const length = 8 + 3 * components;
  const sof = [
    0xff,
    sofMarker,
    length >> 8,
    length & 0xff,
    precision,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    components,
  ];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, ...componentSpecs]);
}

function expectInputError(run: () => unknown, source: string, pattern: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InputError);
  const message = (thrown as InputError).message;
  expect(message.startsWith(`${source}: `)).toBe(true);
  expect(message).not.toContain('\n');
  expect(message).toMatch(pattern);
}

/** Deterministic pseudo-random bytes (a linear congruential generator), so failures reproduce. */
function bytesFrom(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

describe('encodePng / decodeImage round trip', () => {
  it('keeps gray images byte for byte as colour type 0, 8-bit', () => {
    const image: DecodedImage = { data: bytesFrom(1, 7 * 5), width: 7, height: 5, channels: 1 };
    const file = encodePng(image);
    expect(Array.from(file.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(Buffer.from(file.subarray(12, 16)).toString('latin1')).toBe('IHDR');
    expect([file[24], file[25]]).toEqual([8, 0]); // bit depth, colour type
    expect(decodeImage(file, 'gray.png')).toEqual(image);
  });

  it('keeps RGB images byte for byte as colour type 2, 8-bit', () => {
    const image: DecodedImage = { data: bytesFrom(2, 4 * 6 * 3), width: 4, height: 6, channels: 3 };
    const file = encodePng(image);
    expect([file[24], file[25]]).toEqual([8, 2]);
    expect(decodeImage(file, 'rgb.png')).toEqual(image);
  });

  it('refuses inconsistent images', () => {
    expect(() => encodePng({ data: new Uint8Array(5), width: 2, height: 2, channels: 1 })).toThrow(RangeError);
    expect(() => encodePng({ data: new Uint8Array(0), width: 0, height: 0, channels: 3 })).toThrow(RangeError);
  });
});

describe('decodeImage: PNG colour types and bit depths', () => {
  it('composites RGBA over black and keeps 3 channels', () => {
    const file = pngjsFile(3, 1, 6, [200, 100, 50, 255, 200, 100, 50, 128, 255, 255, 255, 0]);
    // 128/255 of (200, 100, 50) = (100.39, 50.20, 25.10), rounded.
    expect(decodeImage(file, 'rgba.png')).toEqual({
      data: Uint8Array.from([200, 100, 50, 100, 50, 25, 0, 0, 0]),
      width: 3,
      height: 1,
      channels: 3,
    });
  });

  it('composites gray+alpha over black and keeps 1 channel', () => {
    const file = pngjsFile(2, 2, 4, [90, 255, 90, 51, 255, 0, 254, 254]);
    // 90 · 51/255 = 18; 254 · 254/255 = 253.0039.
    expect(decodeImage(file, 'ga.png')).toEqual({
      data: Uint8Array.from([90, 18, 0, 253]),
      width: 2,
      height: 2,
      channels: 1,
    });
  });

  it('looks up palette colours (2-bit indices) and applies palette transparency', () => {
    const palette = [10, 20, 30, 40, 50, 60, 200, 150, 100, 255, 255, 255];
    // Four 2-bit indices per byte, most significant first: row 0 = 0 1 2 3, row 1 = 3 2 1 0.
    const file = pngFile(
      ihdr(4, 2, 2, 3),
      chunk('PLTE', Uint8Array.from(palette)),
      chunk('tRNS', Uint8Array.from([255, 255, 255, 0])), // entry 3 fully transparent
      idat([[0b00_01_10_11], [0b11_10_01_00]]),
    );
    expect(decodeImage(file, 'palette.png')).toEqual({
      data: Uint8Array.from([
        10, 20, 30, 40, 50, 60, 200, 150, 100, 0, 0, 0, 0, 0, 0, 200, 150, 100, 40, 50, 60, 10, 20, 30,
      ]),
      width: 4,
      height: 2,
      channels: 3,
    });
  });

  it('rescales 16-bit RGB to 8 bits, rounding to nearest', () => {
    const be16 = (...values: number[]): number[] => values.flatMap((v) => [v >> 8, v & 0xff]);
    const file = pngFile(ihdr(2, 1, 16, 2), idat([be16(0xffff, 0x8080, 0, 1000, 0x7fff, 0x0101)]));
    // 1000 · 255/65535 = 3.89 → 4; 32767 · 255/65535 = 127.498 → 127; 257 · 255/65535 = 1.
    expect(decodeImage(file, 'deep.png')).toEqual({
      data: Uint8Array.from([255, 128, 0, 4, 127, 1]),
      width: 2,
      height: 1,
      channels: 3,
    });
  });

  it('keeps 16-bit and 1-bit gray as 1 channel', () => {
    const deep = pngFile(ihdr(3, 1, 16, 0), idat([[0xff, 0xff, 0x00, 0x00, 0x80, 0x00]]));
    expect(decodeImage(deep, 'g16.png')).toEqual({
      data: Uint8Array.from([255, 0, 128]),
      width: 3,
      height: 1,
      channels: 1,
    });
    const bilevel = pngFile(ihdr(9, 1, 1, 0), idat([[0b10110000, 0b10000000]]));
    expect(decodeImage(bilevel, 'g1.png').data).toEqual(Uint8Array.from([255, 0, 255, 255, 0, 0, 0, 0, 255]));
  });

  it('de-interlaces an Adam7 PNG', () => {
    // 3x3 gray, pixel (x, y) = 10y + x + 1. Adam7 stores it as passes 1, 4, 5, 6, 7 (2, 3 are empty):
    const passRows = [[1], [3], [21, 23], [2], [22], [11, 12, 13]];
    expect(decodeImage(pngFile(ihdr(3, 3, 8, 0, 1), idat(passRows)), 'adam7.png')).toEqual({
      data: Uint8Array.from([1, 2, 3, 11, 12, 13, 21, 22, 23]),
      width: 3,
      height: 3,
      channels: 1,
    });
  });

  it('ignores bytes after IEND, as libpng does', () => {
    const file = Buffer.concat([pngFile(ihdr(1, 1, 8, 0), idat([[42]])), Buffer.from('trailing junk')]);
    expect(decodeImage(file, 'trailing.png')).toEqual({
      data: Uint8Array.from([42]),
      width: 1,
      height: 1,
      channels: 1,
    });
  });

  it('turns the tRNS colour key of an RGB PNG into black', () => {
    const file = pngFile(
      ihdr(2, 1, 8, 2),
      chunk('tRNS', Uint8Array.from([0, 7, 0, 8, 0, 9])),
      idat([[7, 8, 9, 7, 8, 10]]),
    );
    expect(decodeImage(file, 'key.png').data).toEqual(Uint8Array.from([0, 0, 0, 7, 8, 10]));
  });
});

describe('decodeImage: JPEG', () => {
  it('decodes what jpeg-js encodes to approximately the same pixels (lossy)', () => {
    const width = 32;
    const height = 24;
    const rgba = new Uint8Array(width * height * 4);
    const expected = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const rgb = [x * 8, y * 10, 255 - x * 4 - y * 2];
        rgba.set([...rgb, 255], 4 * (y * width + x));
        expected.set(rgb, 3 * (y * width + x));
      }
    }
    const file = new Uint8Array(jpeg.encode({ width, height, data: rgba }, 95).data);
    const image = decodeImage(file, 'photo.jpg');
    expect([image.width, image.height, image.channels]).toEqual([width, height, 3]);
    const errors = Array.from(expected, (value, i) => Math.abs(value - image.data[i]));
    // Quality 95 on smooth ramps: measured max 4, mean 0.81.
    expect(Math.max(...errors)).toBeLessThanOrEqual(8);
    expect(errors.reduce((sum, e) => sum + e, 0) / errors.length).toBeLessThan(2);
  });

  it('keeps a one-component (grayscale) JPEG as 1 channel', () => {
    const image = decodeImage(hex(GRAY_JPEG), 'gray.jpg');
    expect([image.width, image.height, image.channels, image.data.length]).toEqual([8, 8, 1, 64]);
    // Measured: within 1 of the source values (libjpeg's own decode is within 1 of ours).
    for (let y = 0; y < 8; y += 1) {
      for (let x = 0; x < 8; x += 1) expect(Math.abs(image.data[8 * y + x] - (24 * x + 8 * y))).toBeLessThanOrEqual(2);
    }
  });

  it('decodes a progressive JPEG written by libjpeg', () => {
    const image = decodeImage(hex(PROGRESSIVE_JPEG), 'progressive.jpg');
    expect([image.width, image.height, image.channels]).toEqual([8, 8, 3]);
    // Measured: within 3 of the source values and within 2 of libjpeg's (PIL's) decode of the same file.
    for (let y = 0; y < 8; y += 1) {
      for (let x = 0; x < 8; x += 1) {
        const got = Array.from(image.data.subarray(3 * (8 * y + x), 3 * (8 * y + x) + 3));
        [32 * x, 32 * y, 128].forEach((want, c) => expect(Math.abs(got[c] - want)).toBeLessThanOrEqual(4));
      }
    }
  });
});

describe('decodeImage: refusals', () => {
  it('refuses a 100000x100000 PNG from its header, before decoding', () => {
    const file = pngFile(ihdr(100_000, 100_000, 8, 2), idat([[0]]));
    const started = performance.now();
    expectInputError(
      () => decodeImage(file, 'huge.png'),
      'huge.png',
      /PNG header claims 100000x100000 pixels \(10000\.0 MP\), more than the 50 MP this tool decodes$/,
    );
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses a JPEG whose frame header claims 65000x65000, and one just over the limit', () => {
    expectInputError(
      () => decodeImage(jpegHeaderOnly(0xc0, 65_000, 65_000), 'huge.jpg'),
      'huge.jpg',
      /JPEG header claims 65000x65000 pixels \(4225\.0 MP\)/,
    );
    expect(8000 * 6251).toBeGreaterThan(MAX_IMAGE_PIXELS);
    expectInputError(
      () => decodeImage(jpegHeaderOnly(0xc2, 8000, 6251), 'big.jpg'),
      'big.jpg',
      /8000x6251 pixels \(50\.0 MP\)/,
    );
  });

  it('refuses zero-sized images and JPEG codings jpeg-js cannot decode', () => {
    expectInputError(
      () => decodeImage(pngFile(ihdr(0, 5, 8, 0)), 'empty.png'),
      'empty.png',
      /PNG header claims a 0x5 image; expected at least 1x1/,
    );
    expectInputError(
      () => decodeImage(jpegHeaderOnly(0xc0, 10, 0), 'dnl.jpg'),
      'dnl.jpg',
      /JPEG header claims a 10x0 image/,
    );
    expectInputError(
      () => decodeImage(jpegHeaderOnly(0xc3, 16, 16), 'lossless.jpg'),
      'lossless.jpg',
      /unsupported JPEG coding \(SOF marker 0xc3, 8-bit\)/,
    );
    expectInputError(() => decodeImage(jpegHeaderOnly(0xc9, 16, 16), 'arith.jpg'), 'arith.jpg', /SOF marker 0xc9/);
    expectInputError(
      () => decodeImage(jpegHeaderOnly(0xc1, 16, 16, 3, 12), 'deep.jpg'),
      'deep.jpg',
      /SOF marker 0xc1, 12-bit\); expected 8-bit/,
    );
  });

  it('refuses empty, non-image, truncated and corrupt files with one line naming the source', () => {
    const good = encodePng({ data: bytesFrom(3, 16 * 16 * 3), width: 16, height: 16, channels: 3 });
    expectInputError(
      () => decodeImage(new Uint8Array(0), 'zero.png'),
      'zero.png',
      /empty file; expected a PNG or JPEG image/,
    );
    expectInputError(
      () => decodeImage(Buffer.from('hello, world\n'), 'notes.png'),
      'notes.png',
      /not a PNG or JPEG image \(it starts with the bytes 68 65 6c 6c 6f 2c 20 77\)/,
    );
    expectInputError(
      () => decodeImage(good.subarray(0, 20), 'short.png'),
      'short.png',
      /corrupt or truncated PNG file \(no IHDR header chunk\)/,
    );
    expectInputError(
      () => decodeImage(good.subarray(0, good.length >> 1), 'half.png'),
      'half.png',
      /truncated PNG file \(chunk "IDAT" at byte 33 runs past the end\)$/,
    );
    expectInputError(
      () => decodeImage(good.subarray(0, good.length - 12), 'noend.png'),
      'noend.png',
      /truncated PNG file \(it ends before the IEND chunk\)$/,
    );
    const flipped = good.slice();
    flipped[50] ^= 0xff; // inside the IDAT data: the chunk CRC no longer matches
    expectInputError(
      () => decodeImage(flipped, 'crc.png'),
      'crc.png',
      /corrupt PNG file \(CRC mismatch in chunk "IDAT" at byte 33\)$/,
    );
    // Valid chunks and CRCs around image data that is wrong: pngjs alone would return black pixels.
    const notZlib = pngFile(ihdr(2, 2, 8, 0), chunk('IDAT', Uint8Array.from([1, 2, 3, 4, 5, 6])));
    expectInputError(
      () => decodeImage(notZlib, 'zlib.png'),
      'zlib.png',
      /corrupt or truncated PNG file \(image data: incorrect header check\)$/,
    );
    const stream = deflateSync(Buffer.from([0, 1, 2, 0, 3, 4]));
    const cutStream = pngFile(ihdr(2, 2, 8, 0), chunk('IDAT', stream.subarray(0, stream.length - 3)));
    expectInputError(
      () => decodeImage(cutStream, 'cut.png'),
      'cut.png',
      /corrupt or truncated PNG file \(image data: unexpected end of file\)$/,
    );
    const oneRow = pngFile(ihdr(2, 2, 8, 0), idat([[1, 2]]));
    expectInputError(
      () => decodeImage(oneRow, 'short.png'),
      'short.png',
      /image data inflates to 3 bytes, not the 6 bytes IHDR implies\)$/,
    );
    const threeRows = pngFile(
      ihdr(2, 2, 8, 0),
      idat([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    expectInputError(
      () => decodeImage(threeRows, 'long.png'),
      'long.png',
      /image data inflates to more than the 6 bytes IHDR implies\)$/,
    );
    expectInputError(
      () => decodeImage(pngFile(ihdr(2, 2, 8, 0)), 'noidat.png'),
      'noidat.png',
      /\(no IDAT image data\)$/,
    );
    expectInputError(
      () => decodeImage(pngFile(ihdr(1, 1, 8, 3), idat([[0]])), 'noplte.png'),
      'noplte.png',
      /palette image without a PLTE chunk/,
    );
    expectInputError(
      () => decodeImage(pngFile(ihdr(1, 1, 16, 3), idat([[0, 0]])), 'p16.png'),
      'p16.png',
      /colour type 3 with bit depth 16 does not exist/,
    );
    expectInputError(
      () => decodeImage(pngFile(ihdr(1, 1, 8, 5), idat([[0]])), 'type5.png'),
      'type5.png',
      /colour type 5 with bit depth 8 does not exist/,
    );
    const early = pngFile(
      ihdr(1, 1, 8, 3),
      chunk('tRNS', Uint8Array.from([0])),
      chunk('PLTE', Uint8Array.from([1, 2, 3])),
      idat([[0]]),
    );
    expectInputError(
      () => decodeImage(early, 'order.png'),
      'order.png',
      /\(decoder: a chunk is malformed or out of order\)$/,
    );
    const interlace2 = pngFile(ihdr(1, 1, 8, 0, 2), idat([[0]]));
    expectInputError(
      () => decodeImage(interlace2, 'i2.png'),
      'i2.png',
      /unknown compression, filter or interlace method in IHDR\)$/,
    );
    const badFilter = pngFile(ihdr(2, 1, 8, 0), chunk('IDAT', deflateSync(Buffer.from([9, 1, 2]))));
    expectInputError(
      () => decodeImage(badFilter, 'filter.png'),
      'filter.png',
      /\(decoder: Unrecognised filter type - 9\)$/,
    );
    const outOfPalette = pngFile(ihdr(1, 1, 8, 3), chunk('PLTE', Uint8Array.from([1, 2, 3])), idat([[7]]));
    expectInputError(() => decodeImage(outOfPalette, 'index.png'), 'index.png', /\(decoder: index 7 not in palette\)$/);
    // An unknown critical chunk (upper-case first letter) must be refused; an ancillary one skipped.
    const critical = pngFile(ihdr(1, 1, 8, 0), chunk('ABCD', Uint8Array.from([1])), idat([[5]]));
    expectInputError(
      () => decodeImage(critical, 'abcd.png'),
      'abcd.png',
      /unsupported PNG file \(unknown critical chunk "ABCD" at byte 33\)$/,
    );
    const ancillary = pngFile(ihdr(1, 1, 8, 0), chunk('abCD', Uint8Array.from([1])), idat([[5]]));
    expect(decodeImage(ancillary, 'abcd.png').data).toEqual(Uint8Array.from([5]));

    const photo = new Uint8Array(
      jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(200) }, 90).data,
    );
    expectInputError(
      () => decodeImage(photo.subarray(0, 3), 'stub.jpg'),
      'stub.jpg',
      /corrupt or truncated JPEG file \(no frame header/,
    );
    expectInputError(
      () => decodeImage(photo.subarray(0, photo.length - 40), 'cut.jpg'),
      'cut.jpg',
      /corrupt or truncated JPEG file \(decoder: /,
    );
    expectInputError(
      () => decodeImage(jpegHeaderOnly(0xc0, 16, 16), 'noscan.jpg'),
      'noscan.jpg',
      /corrupt or truncated JPEG file \(decoder: /,
    );
    const garbage = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0x12, 0x34]);
    expectInputError(
      () => decodeImage(garbage, 'junk.jpg'),
      'junk.jpg',
      /corrupt JPEG file \(expected a marker at byte 8\)/,
    );
  });
});

describe('toChannels', () => {
  it('replicates gray into RGB', () => {
    const gray: DecodedImage = { data: Uint8Array.from([0, 77, 255]), width: 3, height: 1, channels: 1 };
    expect(toChannels(gray, 3)).toEqual({
      data: Uint8Array.from([0, 0, 0, 77, 77, 77, 255, 255, 255]),
      width: 3,
      height: 1,
      channels: 3,
    });
    expect(toChannels(gray, 1)).toBe(gray);
  });

  it('converts RGB to gray with the BT.601 weights, rounded (same values as OpenCV COLOR_RGB2GRAY)', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30, 0, 0, 0]);
    // cv2.cvtColor on these pixels gives 76 150 29 255 18 0.
    expect(toChannels({ data: rgb, width: 3, height: 2, channels: 3 }, 1)).toEqual({
      data: Uint8Array.from([76, 150, 29, 255, 18, 0]),
      width: 3,
      height: 2,
      channels: 1,
    });
  });
});

describe('readImageFile / writePngAtomic', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gradcam-image-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes a PNG atomically and reads it back', async () => {
    const image: DecodedImage = { data: bytesFrom(4, 5 * 3 * 3), width: 5, height: 3, channels: 3 };
    const path = join(directory, 'overlay.png');
    await writePngAtomic(path, image);
    expect(await readdir(directory)).toEqual(['overlay.png']);
    expect(new Uint8Array(await readFile(path))).toEqual(encodePng(image));
    expect(await readImageFile(path)).toEqual(image);
  });

  it('sniffs the format from the bytes, not the extension', async () => {
    const path = join(directory, 'actually-a-png.jpg');
    const image: DecodedImage = { data: bytesFrom(5, 4), width: 2, height: 2, channels: 1 };
    await writeFile(path, encodePng(image));
    expect(await readImageFile(path)).toEqual(image);
  });

  it('names the path for missing files, directories, empty and text files', async () => {
    const missing = join(directory, 'missing.png');
    await expect(readImageFile(missing)).rejects.toThrow(new InputError(`${missing}: no such file`));
    await expect(readImageFile(directory)).rejects.toThrow(
      `${directory}: is a directory; expected a PNG or JPEG image`,
    );
    const empty = join(directory, 'empty.png');
    await writeFile(empty, '');
    await expect(readImageFile(empty)).rejects.toThrow(`${empty}: empty file; expected a PNG or JPEG image`);
    const text = join(directory, 'readme.png');
    await writeFile(text, 'not an image');
    await expect(readImageFile(text)).rejects.toBeInstanceOf(InputError);
    await expect(readImageFile(text)).rejects.toThrow(`${text}: not a PNG or JPEG image`);
  });
});
