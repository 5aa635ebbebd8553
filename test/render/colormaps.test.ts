import { describe, expect, it } from 'vitest';
import { COLORMAP_NAMES, applyColormap, colormapTable, quantizeUnitValue } from '../../src/render/colormaps.js';

/*
 * Fixtures below were produced once with Debian bookworm's python3-opencv 4.6.0 and
 * python3-matplotlib 3.6.3 (numpy 1.24.2):
 *   OPENCV_JET_BGR_HEX = cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(1, 256),
 *                                          cv2.COLORMAP_JET)[0].tobytes().hex()
 * kept in OpenCV's BGR order on purpose, so the test also proves the RGB swap.
 */
const OPENCV_JET_BGR_HEX =
  '8000008400008800008c00009000009400009800009c0000a00000a40000a80000ac0000b00000b40000b80000bc0000' +
  'c00000c40000c80000cc0000d00000d40000d80000dc0000e00000e40000e80000ec0000f00000f40000f80000fc0000' +
  'ff0000ff0400ff0800ff0c00ff1000ff1400ff1800ff1c00ff2000ff2400ff2800ff2c00ff3000ff3400ff3800ff3c00' +
  'ff4000ff4400ff4800ff4c00ff5000ff5400ff5800ff5c00ff6000ff6400ff6800ff6c00ff7000ff7400ff7800ff7c00' +
  'ff8000ff8400ff8800ff8c00ff9000ff9400ff9800ff9c00ffa000ffa400ffa800ffac00ffb000ffb400ffb800ffbc00' +
  'ffc000ffc400ffc800ffcc00ffd000ffd400ffd800ffdc00ffe000ffe400ffe800ffec00fff000fff400fff800fffc00' +
  'feff02faff06f6ff0af2ff0eeeff12eaff16e6ff1ae2ff1edeff22daff26d6ff2ad2ff2eceff32caff36c6ff3ac2ff3e' +
  'beff42baff46b6ff4ab2ff4eaeff52aaff56a6ff5aa2ff5e9eff629aff6696ff6a92ff6e8eff728aff7686ff7a82ff7e' +
  '7eff827aff8676ff8a72ff8e6eff926aff9666ff9a62ff9e5effa25affa656ffaa52ffae4effb24affb646ffba42ffbe' +
  '3effc23affc636ffca32ffce2effd22affd626ffda22ffde1effe21affe616ffea12ffee0efff20afff606fffa01fffe' +
  '00fcff00f8ff00f4ff00f0ff00ecff00e8ff00e4ff00e0ff00dcff00d8ff00d4ff00d0ff00ccff00c8ff00c4ff00c0ff' +
  '00bcff00b8ff00b4ff00b0ff00acff00a8ff00a4ff00a0ff009cff0098ff0094ff0090ff008cff0088ff0084ff0080ff' +
  '007cff0078ff0074ff0070ff006cff0068ff0064ff0060ff005cff0058ff0054ff0050ff004cff0048ff0044ff0040ff' +
  '003cff0038ff0034ff0030ff002cff0028ff0024ff0020ff001cff0018ff0014ff0010ff000cff0008ff0004ff0000ff' +
  '0000fc0000f80000f40000f00000ec0000e80000e40000e00000dc0000d80000d40000d00000cc0000c80000c40000c0' +
  '0000bc0000b80000b40000b00000ac0000a80000a40000a000009c00009800009400009000008c000088000084000080';

function hexBytes(hex: string): number[] {
  return Array.from({ length: hex.length / 2 }, (_, index) => Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16));
}

/** Entry `index` of an RGB table as [r, g, b]. */
function entry(table: Uint8Array, index: number): number[] {
  return Array.from(table.subarray(index * 3, index * 3 + 3));
}

/** Entries of an RGB pixel array as [r, g, b] triplets. */
function triplets(rgb: Uint8Array): number[][] {
  return Array.from({ length: rgb.length / 3 }, (_, index) => entry(rgb, index));
}

describe('colormapTable', () => {
  it('gives 256 RGB entries for every map', () => {
    for (const name of COLORMAP_NAMES) expect(colormapTable(name)).toHaveLength(768);
  });

  it('equals OpenCV COLORMAP_JET at all 256 entries (BGR fixture reversed to RGB)', () => {
    const opencvBgr = hexBytes(OPENCV_JET_BGR_HEX);
    expect(opencvBgr).toHaveLength(768);
    const table = colormapTable('jet');
    for (let index = 0; index < 256; index++) {
      const [b, g, r] = opencvBgr.slice(index * 3, index * 3 + 3);
      expect(entry(table, index), `entry ${index}`).toEqual([r, g, b]);
    }
  });

  it('has the OpenCV JET values at hand-picked points (written as OpenCV prints them, BGR)', () => {
    const opencvBgrAt: [number, number[]][] = [
      [0, [128, 0, 0]],
      [32, [255, 0, 0]],
      [64, [255, 128, 0]],
      [96, [254, 255, 2]],
      [128, [126, 255, 130]],
      [160, [0, 252, 255]],
      [192, [0, 124, 255]],
      [224, [0, 0, 252]],
      [255, [0, 0, 128]],
    ];
    const table = colormapTable('jet');
    for (const [index, bgr] of opencvBgrAt) expect(entry(table, index), `entry ${index}`).toEqual([...bgr].reverse());
  });

  it('JET is the piecewise-linear Octave jet, r/g/b = clip(1.5 − |4x − k|) for k = 3, 2, 1, within rounding', () => {
    // Independent of the fixture: the closed-form map OpenCV's control points sample.
    const table = colormapTable('jet');
    for (let index = 0; index < 256; index++) {
      const x = index / 255;
      [3, 2, 1].forEach((k, channel) => {
        const ideal = 255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * x - k)));
        expect(Math.abs(table[index * 3 + channel] - ideal), `entry ${index} channel ${channel}`).toBeLessThanOrEqual(
          0.5 + 1e-9,
        );
      });
    }
  });

  it('viridis and inferno equal matplotlib cmap(i, bytes=True) at sample indices', () => {
    // matplotlib 3.6.3: [matplotlib.colormaps[name](i, bytes=True)[:3] for i in indices]
    const indices = [0, 1, 32, 64, 96, 127, 128, 160, 192, 224, 254, 255];
    const expected = {
      viridis: [
        [68, 1, 84],
        [68, 2, 85],
        [71, 44, 123],
        [58, 82, 139],
        [44, 114, 142],
        [32, 143, 140],
        [32, 144, 140],
        [40, 174, 127],
        [94, 201, 97],
        [173, 220, 48],
        [250, 230, 34],
        [253, 231, 36],
      ],
      inferno: [
        [0, 0, 3],
        [0, 0, 4],
        [32, 12, 74],
        [87, 15, 109],
        [137, 34, 105],
        [186, 54, 85],
        [187, 55, 84],
        [228, 90, 49],
        [249, 142, 8],
        [248, 203, 52],
        [250, 253, 160],
        [252, 254, 164],
      ],
    } as const;
    for (const name of ['viridis', 'inferno'] as const) {
      const table = colormapTable(name);
      indices.forEach((index, position) =>
        expect(entry(table, index), `${name}[${index}]`).toEqual(expected[name][position]),
      );
    }
  });

  it('gray is the identity ramp', () => {
    const table = colormapTable('gray');
    for (const index of [0, 1, 77, 128, 254, 255]) expect(entry(table, index)).toEqual([index, index, index]);
  });

  it('returns a copy, so a caller cannot corrupt later lookups', () => {
    colormapTable('jet').fill(7);
    expect(entry(colormapTable('jet'), 0)).toEqual([0, 0, 128]);
  });
});

describe('quantizeUnitValue', () => {
  it('truncates like np.uint8(255 * np.clip(x, 0, 1))', () => {
    // Expected bytes from numpy on the same float32 values.
    const values = Float32Array.from([0, 0.1, 0.2509804, 0.5, 0.75, 0.9, 0.99, 1, 1.5, -0.2, 0.0039215]);
    const numpyBytes = [0, 25, 64, 127, 191, 229, 252, 255, 255, 0, 0];
    expect(Array.from(values, quantizeUnitValue)).toEqual(numpyBytes);
  });

  it('maps every k/255 (as float32) back to k', () => {
    for (let k = 0; k < 256; k++) expect(quantizeUnitValue(Math.fround(k / 255))).toBe(k);
  });

  it('maps NaN and infinities into range instead of throwing', () => {
    expect([Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY].map(quantizeUnitValue)).toEqual([
      0, 0, 255,
    ]);
  });
});

describe('applyColormap', () => {
  const values = Float32Array.from([0, 0.1, 0.2509804, 0.5, 0.75, 0.9, 0.99, 1, 1.5, -0.2, 0.0039215]);

  it('equals cv2.applyColorMap(np.uint8(255 * np.clip(map, 0, 1)), COLORMAP_JET) with BGR → RGB', () => {
    const opencvBgr = [
      [128, 0, 0],
      [228, 0, 0],
      [255, 128, 0],
      [130, 255, 126],
      [0, 128, 255],
      [0, 0, 232],
      [0, 0, 140],
      [0, 0, 128],
      [0, 0, 128],
      [128, 0, 0],
      [128, 0, 0],
    ];
    expect(triplets(applyColormap(values, 'jet'))).toEqual(opencvBgr.map((bgr) => [...bgr].reverse()));
  });

  it('equals matplotlib cmap(np.uint8(255 * x), bytes=True) for viridis and inferno', () => {
    const matplotlibRgb = {
      viridis: [
        [68, 1, 84],
        [72, 35, 116],
        [58, 82, 139],
        [32, 143, 140],
        [91, 200, 98],
        [186, 222, 39],
        [246, 230, 31],
        [253, 231, 36],
        [253, 231, 36],
        [68, 1, 84],
        [68, 1, 84],
      ],
      inferno: [
        [0, 0, 3],
        [22, 11, 57],
        [87, 15, 109],
        [186, 54, 85],
        [249, 140, 9],
        [246, 213, 66],
        [247, 251, 153],
        [252, 254, 164],
        [252, 254, 164],
        [0, 0, 3],
        [0, 0, 3],
      ],
    };
    expect(triplets(applyColormap(values, 'viridis'))).toEqual(matplotlibRgb.viridis);
    expect(triplets(applyColormap(values, 'inferno'))).toEqual(matplotlibRgb.inferno);
  });

  it('keeps the input order and gives 3 bytes per value', () => {
    const rgb = applyColormap(Float32Array.from([1, 0, Number.NaN]), 'gray');
    expect(Array.from(rgb)).toEqual([255, 255, 255, 0, 0, 0, 0, 0, 0]);
  });
});
