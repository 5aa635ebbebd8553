/**
 * Seeded random damage to valid files, for fuzz tests: bit flips, random bytes, truncations,
 * insertions, deletions, runs of one byte, duplicated slices and "interesting" 32-bit values
 * written over length and size fields. Every mutant is reproducible from (seed, case number).
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import type { Random } from '../../src/random.js';

export type MutationKind = 'flip' | 'bytes' | 'truncate' | 'insert' | 'delete' | 'run' | 'duplicate' | 'word';

export const MUTATION_KINDS: readonly MutationKind[] = [
  'flip',
  'bytes',
  'truncate',
  'insert',
  'delete',
  'run',
  'duplicate',
  'word',
];

/** Big-endian and little-endian both appear among these: IDX and PNG are BE, .npy is LE. */
const INTERESTING_WORDS = [
  0x00000000, 0xffffffff, 0x7fffffff, 0x80000000, 0x00010000, 0x0000ffff, 0x01000000, 0x00000001,
];

/** One mutation of `kind` applied to a copy of `bytes` (never mutates the argument). */
export function mutateOnce(bytes: Uint8Array, kind: MutationKind, random: Random): Uint8Array {
  const length = bytes.length;
  const at = (extra = 0) => random.nextInt(Math.max(1, length + extra));
  switch (kind) {
    case 'flip': {
      const out = bytes.slice();
      const flips = 1 + random.nextInt(8);
      for (let i = 0; i < flips && length > 0; i++) out[at()] ^= 1 << random.nextInt(8);
      return out;
    }
    case 'bytes': {
      const out = bytes.slice();
      const changes = 1 + random.nextInt(8);
      for (let i = 0; i < changes && length > 0; i++) out[at()] = random.nextInt(256);
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at());
    case 'insert': {
      const position = at(1);
      const inserted = Uint8Array.from({ length: 1 + random.nextInt(64) }, () => random.nextInt(256));
      return concat(bytes.subarray(0, position), inserted, bytes.subarray(position));
    }
    case 'delete': {
      const start = at();
      const end = Math.min(length, start + 1 + random.nextInt(64));
      return concat(bytes.subarray(0, start), bytes.subarray(end));
    }
    case 'run': {
      const out = bytes.slice();
      const value = [0x00, 0xff, random.nextInt(256)][random.nextInt(3)];
      const start = at();
      out.fill(value, start, Math.min(length, start + 1 + random.nextInt(256)));
      return out;
    }
    case 'duplicate': {
      const start = at();
      const slice = bytes.slice(start, Math.min(length, start + 1 + random.nextInt(128)));
      const position = at(1);
      return concat(bytes.subarray(0, position), slice, bytes.subarray(position));
    }
    case 'word': {
      if (length < 4) return bytes.slice();
      const out = bytes.slice();
      const view = new DataView(out.buffer);
      const word = INTERESTING_WORDS[random.nextInt(INTERESTING_WORDS.length)];
      view.setUint32(random.nextInt(length - 3), word, random.nextInt(2) === 1);
      return out;
    }
  }
}

/** 1–3 random mutations stacked; returns the mutant and what was done (for failure messages). */
export function mutate(bytes: Uint8Array, random: Random): { bytes: Uint8Array; kinds: MutationKind[] } {
  const kinds: MutationKind[] = [];
  let out = bytes;
  const count = 1 + random.nextInt(3);
  for (let i = 0; i < count; i++) {
    const kind = MUTATION_KINDS[random.nextInt(MUTATION_KINDS.length)];
    kinds.push(kind);
    out = mutateOnce(out, kind, random);
  }
  return { bytes: out, kinds };
}

/**
 * Recomputes the CRC of every PNG chunk that still fits in the file, so a mutation reaches the
 * header and zlib checks behind the CRC check instead of always being caught by it.
 */
export function fixPngCrcs(png: Uint8Array): Uint8Array {
  const out = png.slice();
  const view = new DataView(out.buffer);
  let offset = 8;
  while (offset + 12 <= out.length) {
    const dataLength = view.getUint32(offset);
    const end = offset + 12 + dataLength;
    if (end > out.length) break;
    view.setUint32(end - 4, crc32(out.subarray(offset + 4, end - 4)));
    offset = end;
  }
  return out;
}

/**
 * Damages a PNG's image data behind zlib: inflates the IDAT stream, mutates the filtered
 * scanlines (filter-type bytes included), deflates it again and writes a valid container around
 * it, so the damage reaches the scanline decoder instead of zlib's checksum.
 */
export function mutatePngScanlines(png: Uint8Array, random: Random): { bytes: Uint8Array; kinds: MutationKind[] } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const before: Uint8Array[] = [];
  const after: Uint8Array[] = [];
  const imageData: Uint8Array[] = [];
  let offset = 8;
  while (offset + 12 <= png.length) {
    const end = offset + 12 + view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    if (type === 'IDAT') imageData.push(png.subarray(offset + 8, end - 4));
    else (imageData.length === 0 ? before : after).push(png.subarray(offset, end));
    offset = end;
  }
  const scanlines = inflateSync(concat(...imageData));
  const mutant = mutate(new Uint8Array(scanlines.buffer, scanlines.byteOffset, scanlines.byteLength), random);
  const data = deflateSync(mutant.bytes);
  const idat = new Uint8Array(12 + data.length);
  const idatView = new DataView(idat.buffer);
  idatView.setUint32(0, data.length);
  idat.set([0x49, 0x44, 0x41, 0x54], 4); // "IDAT"
  idat.set(data, 8);
  idatView.setUint32(8 + data.length, crc32(idat.subarray(4, 8 + data.length)));
  return { bytes: concat(png.subarray(0, 8), ...before, idat, ...after), kinds: mutant.kinds };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
