/**
 * Reading the files a user pointed us at, with one-line InputErrors that name the path: a
 * missing file or an unreadable gzip stream is the user's problem to fix, not a crash.
 */
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { InputError, fsReasonOf, messageOf } from '../errors.js';

/** Largest output a deflate stream can produce per input byte (zlib technical details: 1032:1). */
const MAX_DEFLATE_RATIO = 1032;

/** Read and inflate 1 MiB at a time: the 64 KiB / 16 KiB defaults double the CPU time on a 170 MB archive. */
const CHUNK_BYTES = 1 << 20;

/**
 * The whole file as bytes; InputError naming `path` if it is missing, a directory, a device or
 * unreadable. `expected` says what should be there ("a PNG or JPEG image").
 */
export async function readUserFile(path: string, expected = 'a data file'): Promise<Uint8Array> {
  await refuseSpecialFile(path, expected);
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a directory; expected ${expected}`);
    throw new InputError(`${path}: cannot read (${fsReasonOf(error)})`);
  }
}

/** The whole file as UTF-8 text; errors as readUserFile's. */
export async function readUserText(path: string, expected = 'a text file'): Promise<string> {
  return new TextDecoder().decode(await readUserFile(path, expected));
}

/**
 * Refuses devices and sockets: `/dev/zero` or `/dev/urandom` never end, so `--image /dev/zero`
 * would read until memory runs out, and a terminal would wait for typing. Pipes stay allowed, so
 * `--heatmap <(python make_map.py)` works; a missing path or a directory is left to the caller's
 * own read, whose message for those is more specific. `expected` says what should be there.
 */
export async function refuseSpecialFile(path: string, expected: string): Promise<void> {
  const info = await statIfExists(path);
  if (info && (info.isCharacterDevice() || info.isBlockDevice() || info.isSocket())) {
    throw new InputError(`${path}: a device or socket, not a file; expected ${expected}`);
  }
}

/**
 * `stat` that returns undefined for a path that does not exist, also below a file (`notes.txt/x`);
 * other failures (permissions) are an InputError naming `path`.
 */
export async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InputError(`${path}: cannot read (${fsReasonOf(error)})`);
  }
}

/**
 * The file's bytes, gunzipped if it is gzip (recognised by its first two bytes, 0x1f 0x8b;
 * RFC 1952 section 2.3.1), so callers accept `x` and `x.gz` alike. InputError naming `path` for an
 * unreadable file or a corrupt or truncated gzip stream.
 */
export async function readDecompressed(path: string): Promise<Uint8Array> {
  await refuseSpecialFile(path, 'a data file');
  let header: { gzip: boolean; size: number; recordedSize: number };
  try {
    header = await gzipHeader(path);
  } catch (error) {
    throw new InputError(`${path}: cannot read (${fsReasonOf(error)})`);
  }
  if (!header.gzip) return readUserFile(path);
  try {
    return await gunzipFile(path, header.size, header.recordedSize);
  } catch (error) {
    throw new InputError(`${path}: corrupt or truncated gzip data (${messageOf(error)})`);
  }
}

async function gzipHeader(path: string): Promise<{ gzip: boolean; size: number; recordedSize: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(4);
    await handle.read(bytes, 0, 2, 0);
    const gzip = size >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
    // 18 bytes = the smallest gzip stream (10-byte header, 8-byte trailer); zlib reports shorter ones.
    if (!gzip || size < 18) return { gzip, size, recordedSize: 0 };
    // The trailer's last 4 bytes (ISIZE) are the uncompressed size mod 2^32, little-endian.
    await handle.read(bytes, 0, 4, size - 4);
    return { gzip, size, recordedSize: new DataView(bytes.buffer).getUint32(0, true) };
  } finally {
    await handle.close();
  }
}

/**
 * Streams the file through zlib into a single buffer sized from the gzip trailer, so neither the
 * compressed file nor a list of output chunks is held next to the result: for the 170 MB CIFAR-10
 * archive that halves the peak memory of loading. The trailer of a truncated file is arbitrary
 * bytes: an implausible size falls back to a growing buffer, and zlib then reports the truncation.
 */
async function gunzipFile(path: string, compressedSize: number, recordedSize: number): Promise<Uint8Array> {
  const plausible = recordedSize > 0 && recordedSize <= compressedSize * MAX_DEFLATE_RATIO;
  let output = new Uint8Array(plausible ? recordedSize : compressedSize * 4);
  let length = 0;
  const source = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  await pipeline(source, createGunzip({ chunkSize: CHUNK_BYTES }), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      if (length + chunk.length > output.length) {
        const grown = new Uint8Array(Math.max(2 * output.length, length + chunk.length));
        grown.set(output.subarray(0, length));
        output = grown;
      }
      output.set(chunk, length);
      length += chunk.length;
    }
  });
  return output.length === length ? output : output.subarray(0, length);
}
