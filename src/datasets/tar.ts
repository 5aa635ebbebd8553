/**
 * A minimal reader for uncompressed tar archives (POSIX ustar, GNU and pax variants), enough to
 * take the CIFAR-10 batch files out of `cifar-10-binary.tar.gz` once it has been gunzipped,
 * without a dependency. It never writes to disk, so member names cannot escape a directory.
 *
 * Format: a sequence of 512-byte headers, each followed by its data rounded up to 512 bytes,
 * ended by zero blocks (POSIX.1-1988 ustar; GNU tar 1.34 manual, "Basic Tar Format").
 */
import { InputError } from '../errors.js';

export interface TarFile {
  /** Full member path as stored, e.g. `cifar-10-batches-bin/data_batch_1.bin`. */
  name: string;
  /** A view into the archive buffer (no copy). */
  data: Uint8Array;
}

const BLOCK = 512;
const textDecoder = new TextDecoder('utf-8');

/**
 * Lists the regular files of a tar archive in archive order. Directories, links and other
 * member types are skipped. Throws InputError naming `archiveName` on a corrupt header or a
 * member that runs past the end of the buffer.
 */
export function readTarFiles(archive: Uint8Array, archiveName: string): TarFile[] {
  const files: TarFile[] = [];
  // Long names arrive in a GNU 'L' or pax 'x' member that precedes the file they belong to.
  let pendingName: string | undefined;
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    if (!checksumMatches(header)) {
      throw new InputError(`${archiveName}: not a valid tar archive (bad header checksum at byte ${offset})`);
    }
    const size = readSize(header);
    if (!Number.isSafeInteger(size)) {
      throw new InputError(`${archiveName}: not a valid tar archive (bad size field at byte ${offset})`);
    }
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > archive.length) {
      throw new InputError(`${archiveName}: truncated tar archive (member at byte ${offset} needs ${size} bytes)`);
    }
    const data = archive.subarray(dataStart, dataEnd);
    const type = String.fromCharCode(header[156]);
    if (type === 'L') {
      pendingName = readString(data, 0, data.length);
    } else if (type === 'x') {
      pendingName = paxPath(data) ?? pendingName;
    } else {
      if (type === '0' || type === '\0' || type === '7') files.push({ name: pendingName ?? headerName(header), data });
      pendingName = undefined;
    }
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

/** ustar splits long paths into `prefix` (bytes 345-500) and `name` (bytes 0-100). */
function headerName(header: Uint8Array): string {
  const name = readString(header, 0, 100);
  const isUstar = readString(header, 257, 263) === 'ustar';
  const prefix = isUstar ? readString(header, 345, 500) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** The header checksum is the byte sum of the header with its own 8-byte field read as spaces. */
function checksumMatches(header: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return parseOctal(header, 148, 156) === sum;
}

/** Size field: octal text, or (GNU, for members of 8 GiB and more) big-endian base-256. */
function readSize(header: Uint8Array): number {
  if (header[124] & 0x80) {
    let size = header[124] & 0x7f;
    for (let i = 125; i < 136; i++) size = size * 256 + header[i];
    return size;
  }
  return parseOctal(header, 124, 136);
}

function parseOctal(bytes: Uint8Array, start: number, end: number): number {
  const text = readString(bytes, start, end).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** NUL-terminated text inside [start, end). */
function readString(bytes: Uint8Array, start: number, end: number): string {
  let stop = start;
  while (stop < end && bytes[stop] !== 0) stop++;
  return textDecoder.decode(bytes.subarray(start, stop));
}

/** The `path` record of a pax extended header: lines of `<length> <key>=<value>\n`. */
function paxPath(data: Uint8Array): string | undefined {
  const text = textDecoder.decode(data);
  for (const line of text.split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}
