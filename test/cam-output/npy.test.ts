import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_NPY_ELEMENTS, decodeNpy, encodeNpy, readNpy, writeNpyAtomic } from '../../src/cam-output/npy.js';

// The hex literals below are whole files written by real numpy 1.24.2 (Debian python3-numpy),
// generated once with:
//   np.save('a77.npy', ((np.arange(49, dtype=np.float32) - 24) / 8).reshape(7, 7))
//   np.save('a44.npy', np.array([[0, 1, -1, 0.5], [1e-8, 3.4e38, -0.0, 2], [0.1, 0.2, 0.3, 0.4],
//                                [np.inf, -np.inf, 7, 8]], dtype=np.float32))
//   np.save('a3.npy', np.array([1.5, -2.25, 3], dtype=np.float32))
//   np.save('f8.npy', np.array([[0.1, -2.5], [1e300, 3]], dtype=np.float64))
//   np.lib.format.write_array(f, np.array([[1.5, -2], [0.25, 4]], dtype=np.float32), version=(2, 0))  # and (3, 0)
const NUMPY_7X7 =
  '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73' +
  '652c20277368617065273a2028372c2037292c207d202020202020202020202020202020202020202020202020202020' +
  '202020202020202020202020202020202020202020202020202020202020200a000040c0000038c0000030c0000028c0' +
  '000020c0000018c0000010c0000008c0000000c00000f0bf0000e0bf0000d0bf0000c0bf0000b0bf0000a0bf000090bf' +
  '000080bf000060bf000040bf000020bf000000bf0000c0be000080be000000be000000000000003e0000803e0000c03e' +
  '0000003f0000203f0000403f0000603f0000803f0000903f0000a03f0000b03f0000c03f0000d03f0000e03f0000f03f' +
  '000000400000084000001040000018400000204000002840000030400000384000004040';
const NUMPY_4X4 =
  '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73' +
  '652c20277368617065273a2028342c2034292c207d202020202020202020202020202020202020202020202020202020' +
  '202020202020202020202020202020202020202020202020202020202020200a000000000000803f000080bf0000003f' +
  '77cc2b329ec97f7f0000008000000040cdcccc3dcdcc4c3e9a99993ecdcccc3e0000807f000080ff0000e04000000041';
const NUMPY_3 =
  '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73' +
  '652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020' +
  '202020202020202020202020202020202020202020202020202020202020200a0000c03f000010c000004040';
const NUMPY_F8 =
  '934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73' +
  '652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020202020202020202020' +
  '202020202020202020202020202020202020202020202020202020202020200a9a9999999999b93f00000000000004c0' +
  '9c7500883ce4377e0000000000000840';
const NUMPY_V2 =
  '934e554d50590200740000007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a204661' +
  '6c73652c20277368617065273a2028322c2032292c207d20202020202020202020202020202020202020202020202020' +
  '202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c00000803e00008040';
const NUMPY_V3 = `934e554d505903${NUMPY_V2.slice(14)}`;

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const values7x7 = Float32Array.from({ length: 49 }, (_, i) => (i - 24) / 8);
const values4x4 = Float32Array.from([
  0,
  1,
  -1,
  0.5,
  1e-8,
  3.4e38,
  -0,
  2,
  0.1,
  0.2,
  0.3,
  0.4,
  Infinity,
  -Infinity,
  7,
  8,
]);

/** A .npy file with an arbitrary header text (padded like numpy's) and data bytes. */
function npyWith(header: string, dataBytes: number, version: 1 | 2 | 3 = 1): Uint8Array {
  const lengthBytes = version === 1 ? 2 : 4;
  const text = `${header}\n`;
  const bytes = new Uint8Array(8 + lengthBytes + text.length + dataBytes);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(bytes.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  bytes.set(Buffer.from(text, 'latin1'), 8 + lengthBytes);
  return bytes;
}

/** Asserts `run` throws a one-line InputError naming heat.npy and matching `pattern`; returns the message. */
function expectInputError(run: () => unknown, pattern: RegExp): string {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InputError);
  const message = (thrown as InputError).message;
  expect(message.startsWith('heat.npy: ')).toBe(true);
  expect(message).not.toContain('\n');
  expect(message).toMatch(pattern);
  return message;
}

describe('encodeNpy', () => {
  it('writes the exact bytes numpy writes for shape (7, 7)', () => {
    expect(Buffer.from(encodeNpy(values7x7, [7, 7])).toString('hex')).toBe(NUMPY_7X7);
  });

  it('writes the exact bytes numpy writes for shape (4, 4), including -0, inf and rounded decimals', () => {
    expect(Buffer.from(encodeNpy(values4x4, [4, 4])).toString('hex')).toBe(NUMPY_4X4);
  });

  it('writes a rank-1 shape as (3,) exactly like numpy', () => {
    const bytes = encodeNpy(Float32Array.from([1.5, -2.25, 3]), [3]);
    expect(Buffer.from(bytes).toString('hex')).toBe(NUMPY_3);
    expect(Buffer.from(bytes.subarray(10, 128)).toString('latin1')).toContain("'shape': (3,), }");
  });

  it('pads with a full 64 spaces when the header is already aligned, like numpy', () => {
    // np.save(f, np.zeros((0,) + (1,) * 12 + (100,), dtype=np.float32)): unpadded header + prefix is 128 bytes.
    const numpy =
      '934e554d50590100b6007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73' +
      '652c20277368617065273a2028302c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c' +
      '20312c20313030292c207d20202020202020202020202020202020202020202020202020202020202020202020202020' +
      '20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a';
    const shape = [0, ...Array<number>(12).fill(1), 100];
    expect(Buffer.from(encodeNpy(new Float32Array(0), shape)).toString('hex')).toBe(numpy);
  });

  it('aligns the data to 64 bytes and ends the header with a newline for any rank', () => {
    for (let rank = 0; rank <= 32; rank += 1) {
      const shape = Array.from({ length: rank }, (_, axis) => (axis === 0 ? 2 : 1));
      const count = rank === 0 ? 1 : 2;
      const bytes = encodeNpy(
        Float32Array.from({ length: count }, (_, i) => i + 0.5),
        shape,
      );
      const headerLength = bytes[8] | (bytes[9] << 8);
      expect((10 + headerLength) % 64).toBe(0);
      expect(bytes[10 + headerLength - 1]).toBe(0x0a);
      expect(bytes.length).toBe(10 + headerLength + 4 * count);
      expect(decodeNpy(bytes, 'x.npy').shape).toEqual(shape);
    }
    // np.save(f, np.float32(4.5)): a scalar has shape () and no growth padding.
    const numpyScalar =
      '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73' +
      '652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020' +
      '202020202020202020202020202020202020202020202020202020202020200a00009040';
    expect(Buffer.from(encodeNpy(Float32Array.from([4.5]), [])).toString('hex')).toBe(numpyScalar);
  });

  it('refuses a shape that does not describe the data', () => {
    expect(() => encodeNpy(new Float32Array(6), [2, 2])).toThrow(RangeError);
    expect(() => encodeNpy(new Float32Array(4), [2, -2])).toThrow(RangeError);
    expect(() => encodeNpy(new Float32Array(4), [2, 2.5])).toThrow(RangeError);
  });
});

describe('decodeNpy', () => {
  it('reads numpy files back to the same values and shapes', () => {
    expect(decodeNpy(hex(NUMPY_7X7), 'a.npy')).toEqual({ data: values7x7, shape: [7, 7] });
    const square = decodeNpy(hex(NUMPY_4X4), 'b.npy');
    expect(square.shape).toEqual([4, 4]);
    expect(Array.from(square.data)).toEqual(Array.from(values4x4));
    expect(Object.is(square.data[6], -0)).toBe(true);
    expect(decodeNpy(hex(NUMPY_3), 'c.npy')).toEqual({ data: Float32Array.from([1.5, -2.25, 3]), shape: [3] });
  });

  it('round-trips what encodeNpy writes, including scalars, empty arrays and NaN', () => {
    const data = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.sin(i) * 1000);
    data[7] = Number.NaN;
    for (const [values, shape] of [
      [data, [2, 3, 5]],
      [Float32Array.from([-7.25]), []],
      [new Float32Array(0), [4, 0]],
    ] as const) {
      const decoded = decodeNpy(encodeNpy(values, shape), 'x.npy');
      expect(decoded.shape).toEqual(shape);
      expect(decoded.data).toEqual(values);
    }
  });

  it('converts float64 files to float32', () => {
    const decoded = decodeNpy(hex(NUMPY_F8), 'd.npy');
    expect(decoded.shape).toEqual([2, 2]);
    expect(decoded.data).toBeInstanceOf(Float32Array);
    // 0.1 rounds to the nearest float32; 1e300 overflows float32 to +Infinity, as numpy's astype does.
    expect(Array.from(decoded.data)).toEqual([Math.fround(0.1), -2.5, Infinity, 3]);
  });

  it('reads format versions 2.0 and 3.0', () => {
    for (const file of [NUMPY_V2, NUMPY_V3]) {
      expect(decodeNpy(hex(file), 'e.npy')).toEqual({ data: Float32Array.from([1.5, -2, 0.25, 4]), shape: [2, 2] });
    }
  });

  it('accepts double quotes, any key order and no trailing comma', () => {
    const bytes = npyWith(`{"shape": (1, 2), "fortran_order": False, "descr": "<f4"}`, 8);
    new DataView(bytes.buffer).setFloat32(bytes.length - 4, 2.5, true);
    expect(decodeNpy(bytes, 'f.npy')).toEqual({ data: Float32Array.from([0, 2.5]), shape: [1, 2] });
  });

  const header = (descr: string, fortran: string, shape: string): string =>
    `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

  it('rejects bad magic, short files and other versions', () => {
    expectInputError(() => decodeNpy(new Uint8Array(0), 'heat.npy'), /not a \.npy file/);
    expectInputError(() => decodeNpy(Buffer.from('PK\u0003\u0004 this is a zip'), 'heat.npy'), /not a \.npy file/);
    const v4 = hex(NUMPY_3);
    v4[6] = 4;
    expectInputError(() => decodeNpy(v4, 'heat.npy'), /version 4\.0; expected 1\.0, 2\.0 or 3\.0/);
    const v11 = hex(NUMPY_3);
    v11[7] = 1;
    expectInputError(() => decodeNpy(v11, 'heat.npy'), /version 1\.1/);
    expectInputError(() => decodeNpy(hex(NUMPY_V2).subarray(0, 10), 'heat.npy'), /header length is missing/);
  });

  it('rejects a header length beyond the file or beyond numpy\u2019s limit', () => {
    expectInputError(
      () => decodeNpy(hex(NUMPY_3).subarray(0, 100), 'heat.npy'),
      /header claims 118 bytes but only 90 follow/,
    );
    const huge = hex(NUMPY_V2);
    new DataView(huge.buffer).setUint32(8, 0xfffffff0, true);
    expectInputError(
      () => decodeNpy(huge, 'heat.npy'),
      /header claims 4294967280 bytes; numpy itself refuses more than 10000/,
    );
  });

  it('rejects headers that are not the plain dict numpy writes', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /expected \{ at the end of the header$/],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ",
        /expected a quoted string at the end of the header$/,
      ],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk",
        /unexpected text after the dict at character 58$/,
      ],
      [
        "{'descr': '<f4', 'fortran_order': False}",
        /keys are \[descr, fortran_order\]; expected exactly descr, fortran_order, shape$/,
      ],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': ''}",
        /keys are \[descr, fortran_order, shape, x\]/,
      ],
      ["{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", /duplicate key 'descr'$/],
      [
        "{'descr': __import__('os').system('true'), 'fortran_order': False, 'shape': (2,)}",
        /unsupported value at character 10$/,
      ],
      ["{'descr': 3, 'fortran_order': False, 'shape': (2,)}", /unsupported value at character 10$/],
      ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", /unsupported value at character 34$/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", /unsupported value at character 50$/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", /a one-element shape must be written \(n,\)$/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2 2)}", /expected , or \) at character 53$/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2.5)}", /shape dimension 2\.5 is not an integer$/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1e3)}", /shape dimension 1e3 is not an integer$/],
      ["{'descr': True, 'fortran_order': False, 'shape': (2,)}", /'descr' is not a string$/],
      ["{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,)}", /'fortran_order' is not True or False$/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': '2'}", /'shape' is not a tuple$/],
      [
        "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}",
        /unsupported characters in string at character 10$/,
      ],
      [
        "{'descr': '<f4\u00e9', 'fortran_order': False, 'shape': (2,)}",
        /unsupported characters in string at character 10$/,
      ],
    ];
    for (const [text, pattern] of cases) {
      const message = expectInputError(() => decodeNpy(npyWith(text, 8), 'heat.npy'), pattern);
      expect(message).toMatch(/^heat\.npy: bad \.npy header: /);
    }
  });

  it('rejects Fortran order, big-endian and other dtypes', () => {
    expectInputError(() => decodeNpy(npyWith(header('<f4', 'True', '(2, 2)'), 16), 'heat.npy'), /Fortran order/);
    expectInputError(
      () => decodeNpy(npyWith(header('>f4', 'False', '(2,)'), 8), 'heat.npy'),
      /unsupported big-endian \.npy dtype '>f4'/,
    );
    expectInputError(() => decodeNpy(npyWith(header('>f8', 'False', '(2,)'), 16), 'heat.npy'), /big-endian .* '>f8'/);
    for (const descr of ['|u1', '<i4', '<f2', '<c8', 'float32', '|O']) {
      expectInputError(
        () => decodeNpy(npyWith(header(descr, 'False', '(2,)'), 8), 'heat.npy'),
        new RegExp(
          `unsupported \\.npy dtype '${descr.replace('|', '\\|')}'; expected '<f4' \\(float32\\) or '<f8' \\(float64\\)`,
        ),
      );
    }
  });

  it('rejects negative and absurd shapes before allocating', () => {
    expectInputError(
      () => decodeNpy(npyWith(header('<f4', 'False', '(-2, -2)'), 16), 'heat.npy'),
      /shape \(-2, -2\) has a dimension that is not a non-negative integer/,
    );
    expectInputError(
      () => decodeNpy(npyWith(header('<f4', 'False', '(99999999999999999999,)'), 8), 'heat.npy'),
      /not a non-negative integer/,
    );
    // Would be 4 * 10^18 bytes; must fail fast on the element count, not on an allocation.
    expectInputError(
      () => decodeNpy(npyWith(header('<f4', 'False', '(1000000, 1000000, 1000000)'), 8), 'heat.npy'),
      new RegExp(`larger than the ${MAX_NPY_ELEMENTS} values this tool accepts`),
    );
    // A zero axis after a huge one is still refused: the product is checked as it grows.
    expectInputError(
      () => decodeNpy(npyWith(header('<f4', 'False', '(4294967296, 4294967296, 0)'), 0), 'heat.npy'),
      /larger than/,
    );
  });

  it('rejects a data section whose size does not match the shape', () => {
    expectInputError(
      () => decodeNpy(npyWith(header('<f4', 'False', '(3, 3)'), 32), 'heat.npy'),
      /data is 32 bytes but shape \(3, 3\) of '<f4' needs 36/,
    );
    expectInputError(
      () => decodeNpy(npyWith(header('<f8', 'False', '(2,)'), 24), 'heat.npy'),
      /data is 24 bytes but shape \(2,\) of '<f8' needs 16/,
    );
    expectInputError(
      () => decodeNpy(hex(NUMPY_7X7).subarray(0, 300), 'heat.npy'),
      /data is 172 bytes but shape \(7, 7\) of '<f4' needs 196/,
    );
  });
});

describe('readNpy / writeNpyAtomic', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gradcam-npy-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes numpy\u2019s bytes atomically and reads them back', async () => {
    const path = join(directory, 'cam.npy');
    await writeNpyAtomic(path, values7x7, [7, 7]);
    expect(Buffer.from(await readFile(path)).toString('hex')).toBe(NUMPY_7X7);
    expect(await readNpy(path)).toEqual({ data: values7x7, shape: [7, 7] });
    expect(await readdir(directory)).toEqual(['cam.npy']);
  });

  it('names the path when the file is missing, a directory or malformed', async () => {
    const missing = join(directory, 'nope.npy');
    await expect(readNpy(missing)).rejects.toThrow(new InputError(`${missing}: no such file`));
    await expect(readNpy(directory)).rejects.toThrow(`${directory}: is a directory; expected a .npy file`);
    const bad = join(directory, 'bad.npy');
    await writeNpyAtomic(bad, new Float32Array(4), [4]);
    const bytes = await readFile(bad);
    await writeFile(bad, bytes.subarray(0, 130));
    await expect(readNpy(bad)).rejects.toBeInstanceOf(InputError);
    await expect(readNpy(bad)).rejects.toThrow(`${bad}: .npy data is 2 bytes but shape (4,) of '<f4' needs 16`);
  });
});
