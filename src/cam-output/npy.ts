/**
 * NumPy `.npy` files of float32 arrays: the hand-off format for heatmaps, so that
 * `np.load('cam.npy')` gives the same numbers the tool drew.
 *
 * Format (numpy/lib/format.py): the magic `\x93NUMPY`, a major and minor version byte, the
 * header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0), a header that is the repr of a Python
 * dict `{'descr': …, 'fortran_order': …, 'shape': (…), }` padded with spaces and a final `\n`,
 * then the raw array bytes.
 */
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readUserFile } from '../io/read-files.js';

/** A float32 array in C (row-major) order with its shape; `data.length` is the product of `shape`. */
export interface NpyArray {
  data: Float32Array;
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Magic (6) + version (2); the header length field follows. */
const PREAMBLE_BYTES = 8;
/** numpy aligns the start of the data to 64 bytes so that it can be memory-mapped. */
const ARRAY_ALIGN = 64;
/**
 * Current numpy (1.24.2 checked; the same code is in 2.x) leaves room in the header for the first
 * axis to grow to this many digits, so the header can be rewritten in place when appending.
 * Writing the same spaces keeps our files byte-identical to `np.save` even for shapes where they
 * push the header past a 64-byte boundary (for 2-D heatmaps they never do).
 */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** numpy refuses longer headers unless the file is fully trusted (`max_header_size`); so do we. */
const MAX_HEADER_BYTES = 10_000;
/**
 * The most elements we accept (2^28, i.e. 1 GiB as float32): far beyond any heatmap or image
 * batch, and low enough that a header claiming more is refused before anything is allocated.
 */
export const MAX_NPY_ELEMENTS = 2 ** 28;

/**
 * Serialises a float32 array as a version 1.0 `.npy` file, byte-identical to numpy's
 * `np.save(path, array.astype('<f4'))`.
 *
 * @param data  float32 values in C order, any range (NaN and ±Infinity are stored as is).
 * @param shape dimensions, non-negative integers whose product is `data.length`; `[]` is a scalar.
 * @returns the complete file: a 128-byte header for shapes up to a few axes, then 4 bytes per value.
 * @throws RangeError if `shape` does not describe `data` (a programming error, not bad input).
 */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0)
      throw new RangeError(`encodeNpy: bad dimension ${dim} in shape [${shape}]`);
  }
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (count !== data.length) {
    throw new RangeError(`encodeNpy: shape [${shape}] holds ${count} values but data has ${data.length}`);
  }

  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  // numpy's rule: pad with spaces so that magic + length field + header + '\n' is a multiple of
  // 64; when it already is, numpy still adds a full 64 spaces, and so do we.
  const lengthFieldBytes = 2;
  const unpadded = PREAMBLE_BYTES + lengthFieldBytes + header.length + 1;
  header += `${' '.repeat(ARRAY_ALIGN - (unpadded % ARRAY_ALIGN))}\n`;
  if (header.length > 0xffff)
    throw new RangeError(`encodeNpy: rank ${shape.length} needs a header too long for format 1.0`);

  const dataOffset = PREAMBLE_BYTES + lengthFieldBytes + header.length;
  const bytes = new Uint8Array(dataOffset + 4 * data.length);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[6] = 1; // version 1.0
  bytes[7] = 0;
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i += 1) bytes[10 + i] = header.charCodeAt(i);
  // DataView, not a Float32Array view: the file is little-endian whatever the host is.
  for (let i = 0; i < data.length; i += 1) view.setFloat32(dataOffset + 4 * i, data[i], true);
  return bytes;
}

/** Python's repr of a tuple of ints: `()`, `(3,)`, `(7, 7)`. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Parses a `.npy` file of little-endian float32 (`'<f4'`) or float64 (`'<f8'`) values in C order,
 * format version 1.0, 2.0 or 3.0.
 *
 * @param bytes  the whole file.
 * @param source the file name, used in error messages.
 * @returns float32 values in C order and the shape; float64 files are rounded to float32
 *          (magnitudes beyond ~3.4e38 become ±Infinity, as with numpy's `astype(np.float32)`).
 * @throws InputError (one line, starting with `source`) for anything else: bad magic, another
 *         version, a header that is not a plain dict literal, Fortran order, other dtypes,
 *         a shape that is not non-negative integers, more than MAX_NPY_ELEMENTS values, or a
 *         data section whose size does not match the shape.
 */
export function decodeNpy(bytes: Uint8Array, source: string): NpyArray {
  const fail = (problem: string): never => {
    throw new InputError(`${source}: ${problem}`);
  };
  if (bytes.length < PREAMBLE_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    fail('not a .npy file (it does not start with the bytes \\x93NUMPY)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    fail(`unsupported .npy format version ${major}.${minor}; expected 1.0, 2.0 or 3.0`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthFieldBytes = major === 1 ? 2 : 4;
  const headerStart = PREAMBLE_BYTES + lengthFieldBytes;
  if (bytes.length < headerStart) fail('truncated .npy file: the header length is missing');
  const headerLength = major === 1 ? view.getUint16(PREAMBLE_BYTES, true) : view.getUint32(PREAMBLE_BYTES, true);
  if (headerLength > MAX_HEADER_BYTES) {
    fail(`.npy header claims ${headerLength} bytes; numpy itself refuses more than ${MAX_HEADER_BYTES}`);
  }
  const dataOffset = headerStart + headerLength;
  if (dataOffset > bytes.length) {
    fail(`truncated .npy file: the header claims ${headerLength} bytes but only ${bytes.length - headerStart} follow`);
  }

  const headerBytes = bytes.subarray(headerStart, dataOffset);
  // 1.0 and 2.0 headers are latin1, 3.0 headers UTF-8; the dict grammar below is pure ASCII, so
  // any byte above 0x7f is rejected by the parser either way.
  const headerText = Buffer.from(headerBytes.buffer, headerBytes.byteOffset, headerBytes.byteLength).toString('latin1');
  let header: NpyHeader;
  try {
    header = parseHeader(headerText);
  } catch (error) {
    if (error instanceof HeaderSyntaxError) return fail(`bad .npy header: ${error.message}`);
    throw error;
  }

  if (header.fortranOrder) fail(`.npy array is in Fortran order; expected C order (save np.ascontiguousarray(a))`);
  const itemBytes = header.descr === '<f4' ? 4 : header.descr === '<f8' ? 8 : 0;
  if (itemBytes === 0) {
    const endian = /^>[fiuc]\d+$/.test(header.descr) ? 'big-endian ' : '';
    fail(`unsupported ${endian}.npy dtype '${header.descr}'; expected '<f4' (float32) or '<f8' (float64)`);
  }

  let count = 1;
  for (const dim of header.shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      fail(`.npy shape ${pythonTuple(header.shape)} has a dimension that is not a non-negative integer`);
    }
    count *= dim;
    // Checked at every step so that the product never leaves the range of exact integers.
    if (count > MAX_NPY_ELEMENTS) {
      fail(`.npy shape ${pythonTuple(header.shape)} is larger than the ${MAX_NPY_ELEMENTS} values this tool accepts`);
    }
  }
  const dataBytes = bytes.length - dataOffset;
  if (dataBytes !== count * itemBytes) {
    fail(
      `.npy data is ${dataBytes} bytes but shape ${pythonTuple(header.shape)} of '${header.descr}' needs ${count * itemBytes}`,
    );
  }

  const data = new Float32Array(count);
  if (itemBytes === 4) {
    for (let i = 0; i < count; i += 1) data[i] = view.getFloat32(dataOffset + 4 * i, true);
  } else {
    for (let i = 0; i < count; i += 1) data[i] = view.getFloat64(dataOffset + 8 * i, true);
  }
  return { data, shape: header.shape };
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** Why a header did not parse; turned into an InputError naming the file by decodeNpy. */
class HeaderSyntaxError extends Error {}

type PythonValue = string | boolean | number[];

/**
 * A strict parser for the one dict numpy writes: string keys; string, True/False or
 * tuple-of-integers values; optional trailing comma; trailing whitespace (the padding).
 * Anything else (nested dicts, expressions, escapes, floats in the shape) is refused: the header
 * is data from a file we did not write, so it is never evaluated.
 */
function parseHeader(text: string): NpyHeader {
  const entries = new PythonLiteralReader(text).readDict();
  const keys = [...entries.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    throw new HeaderSyntaxError(`keys are [${keys}]; expected exactly descr, fortran_order, shape`);
  }
  const descr = entries.get('descr');
  const fortranOrder = entries.get('fortran_order');
  const shape = entries.get('shape');
  if (typeof descr !== 'string') throw new HeaderSyntaxError("'descr' is not a string");
  if (typeof fortranOrder !== 'boolean') throw new HeaderSyntaxError("'fortran_order' is not True or False");
  if (!Array.isArray(shape)) throw new HeaderSyntaxError("'shape' is not a tuple");
  return { descr, fortranOrder, shape };
}

/** Reads the Python dict literal of a header: string keys; string, integer tuple or bool values. */
class PythonLiteralReader {
  private position = 0;

  constructor(private readonly text: string) {}

  /** The whole text as one dict; nothing may follow it. */
  readDict(): Map<string, PythonValue> {
    const entries = new Map<string, PythonValue>();
    this.expect('{');
    while (this.peek() !== '}') {
      const key = this.readString();
      if (entries.has(key)) throw new HeaderSyntaxError(`duplicate key '${key}'`);
      this.expect(':');
      entries.set(key, this.readValue());
      if (this.peek() === ',') this.expect(',');
      else if (this.peek() !== '}') throw new HeaderSyntaxError(`expected , or } ${this.at()}`);
    }
    this.expect('}');
    this.skipSpaces();
    if (this.position !== this.text.length) throw new HeaderSyntaxError(`unexpected text after the dict ${this.at()}`);
    return entries;
  }

  private at(): string {
    return this.position >= this.text.length ? 'at the end of the header' : `at character ${this.position}`;
  }

  private skipSpaces(): void {
    while (this.position < this.text.length && ' \t\r\n'.includes(this.text[this.position])) this.position += 1;
  }

  private expect(token: string): void {
    this.skipSpaces();
    if (!this.text.startsWith(token, this.position)) throw new HeaderSyntaxError(`expected ${token} ${this.at()}`);
    this.position += token.length;
  }

  private peek(): string {
    this.skipSpaces();
    return this.text[this.position] ?? '';
  }

  private readString(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') throw new HeaderSyntaxError(`expected a quoted string ${this.at()}`);
    const end = this.text.indexOf(quote, this.position + 1);
    if (end < 0) throw new HeaderSyntaxError('unterminated string');
    const value = this.text.slice(this.position + 1, end);
    if (!/^[\x20-\x7e]*$/.test(value) || value.includes('\\')) {
      throw new HeaderSyntaxError(`unsupported characters in string ${this.at()}`);
    }
    this.position = end + 1;
    return value;
  }

  private readInteger(): number {
    this.skipSpaces();
    // Decimals and exponents are matched only to name them in the message.
    const match = /^-?\d+(\.\d*)?([eE][-+]?\d+)?/.exec(this.text.slice(this.position));
    if (!match) throw new HeaderSyntaxError(`expected an integer ${this.at()}`);
    if (!/^-?\d+$/.test(match[0])) throw new HeaderSyntaxError(`shape dimension ${match[0]} is not an integer`);
    this.position += match[0].length;
    // Negative and unsafe (> 2^53) values are returned and refused by decodeNpy with the shape.
    return Number(match[0]);
  }

  private readTuple(): number[] {
    this.expect('(');
    const items: number[] = [];
    while (this.peek() !== ')') {
      items.push(this.readInteger());
      if (this.peek() === ',') this.expect(',');
      else if (this.peek() !== ')') throw new HeaderSyntaxError(`expected , or ) ${this.at()}`);
    }
    this.expect(')');
    // Python needs the comma to make a one-element tuple: `(3)` is the int 3.
    if (items.length === 1 && !/,\s*\)$/.test(this.text.slice(0, this.position))) {
      throw new HeaderSyntaxError('a one-element shape must be written (n,)');
    }
    return items;
  }

  private readValue(): PythonValue {
    const next = this.peek();
    if (next === "'" || next === '"') return this.readString();
    if (next === '(') return this.readTuple();
    for (const [word, value] of [
      ['True', true],
      ['False', false],
    ] as const) {
      if (this.text.startsWith(word, this.position)) {
        this.position += word.length;
        return value;
      }
    }
    throw new HeaderSyntaxError(`unsupported value ${this.at()}`);
  }
}

/**
 * Reads and decodes a `.npy` file (see decodeNpy for what is accepted).
 * @throws InputError naming `path` when it is missing, unreadable or not a valid float `.npy`.
 */
export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNpy(await readUserFile(path, 'a .npy file'), path);
}

/** Writes `data` with `shape` as a `.npy` file atomically (see encodeNpy for the layout). */
export async function writeNpyAtomic(path: string, data: Float32Array, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}
