/**
 * Colormaps that turn a Grad-CAM heatmap (one value in [0, 1] per pixel) into RGB pixels.
 *
 * Each map is a 256-entry lookup table, and a value is quantized to a table index the way
 * OpenCV-based CAM code does it (`cv2.applyColorMap(np.uint8(255 * cam), ...)`, as in
 * pytorch-grad-cam's `show_cam_on_image`), so our pictures match what people compare them with.
 */

export type ColormapName = 'jet' | 'viridis' | 'inferno' | 'gray';

/** Every colormap name, in the order help texts list them. */
export const COLORMAP_NAMES: readonly ColormapName[] = ['jet', 'viridis', 'inferno', 'gray'];

/*
 * The tables are literal bytes, 256 RGB triplets each, generated once from the reference
 * implementations rather than recomputed here: OpenCV's JET samples control points that sit
 * exactly on half-integers after scaling by 255, so which way each entry rounds depends on
 * OpenCV's float32 arithmetic, and only the real output is authoritative.
 *
 * JET: OpenCV 4.6.0 (Debian python3-opencv 4.6.0+dfsg-12),
 *   `cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(1, 256), cv2.COLORMAP_JET)[0][:, ::-1]`
 *   (OpenCV returns BGR; reversed to RGB). The map itself is the `Jet` class in
 *   modules/imgproc/src/colormap.cpp, GNU Octave's jet sampled at 256 points.
 * VIRIDIS, INFERNO: matplotlib 3.6.3, `matplotlib.colormaps[name](np.arange(256), bytes=True)[:, :3]`,
 *   i.e. matplotlib's own float table converted the way `bytes=True` does it, `(lut * 255).astype(np.uint8)`
 *   (truncation).
 */

const JET_RGB_HEX =
  '00008000008400008800008c00009000009400009800009c0000a00000a40000a80000ac0000b00000b40000b80000bc' +
  '0000c00000c40000c80000cc0000d00000d40000d80000dc0000e00000e40000e80000ec0000f00000f40000f80000fc' +
  '0000ff0004ff0008ff000cff0010ff0014ff0018ff001cff0020ff0024ff0028ff002cff0030ff0034ff0038ff003cff' +
  '0040ff0044ff0048ff004cff0050ff0054ff0058ff005cff0060ff0064ff0068ff006cff0070ff0074ff0078ff007cff' +
  '0080ff0084ff0088ff008cff0090ff0094ff0098ff009cff00a0ff00a4ff00a8ff00acff00b0ff00b4ff00b8ff00bcff' +
  '00c0ff00c4ff00c8ff00ccff00d0ff00d4ff00d8ff00dcff00e0ff00e4ff00e8ff00ecff00f0ff00f4ff00f8ff00fcff' +
  '02fffe06fffa0afff60efff212ffee16ffea1affe61effe222ffde26ffda2affd62effd232ffce36ffca3affc63effc2' +
  '42ffbe46ffba4affb64effb252ffae56ffaa5affa65effa262ff9e66ff9a6aff966eff9272ff8e76ff8a7aff867eff82' +
  '82ff7e86ff7a8aff768eff7292ff6e96ff6a9aff669eff62a2ff5ea6ff5aaaff56aeff52b2ff4eb6ff4abaff46beff42' +
  'c2ff3ec6ff3acaff36ceff32d2ff2ed6ff2adaff26deff22e2ff1ee6ff1aeaff16eeff12f2ff0ef6ff0afaff06feff01' +
  'fffc00fff800fff400fff000ffec00ffe800ffe400ffe000ffdc00ffd800ffd400ffd000ffcc00ffc800ffc400ffc000' +
  'ffbc00ffb800ffb400ffb000ffac00ffa800ffa400ffa000ff9c00ff9800ff9400ff9000ff8c00ff8800ff8400ff8000' +
  'ff7c00ff7800ff7400ff7000ff6c00ff6800ff6400ff6000ff5c00ff5800ff5400ff5000ff4c00ff4800ff4400ff4000' +
  'ff3c00ff3800ff3400ff3000ff2c00ff2800ff2400ff2000ff1c00ff1800ff1400ff1000ff0c00ff0800ff0400ff0000' +
  'fc0000f80000f40000f00000ec0000e80000e40000e00000dc0000d80000d40000d00000cc0000c80000c40000c00000' +
  'bc0000b80000b40000b00000ac0000a80000a40000a000009c00009800009400009000008c0000880000840000800000';

const VIRIDIS_RGB_HEX =
  '44015444025544035745055845065a45085b46095c460b5e460c5f460e61470f62471163471265471466471567471669' +
  '47186a48196b481a6c481c6e481d6f481e70482071482172482273482374472575472676472777472878472a79472b7a' +
  '472c7b462d7c462f7c46307d46317e45327f45347f453580453681443781443982433a83433b83433c84423d84423e85' +
  '4240854141864142864043874044873f45873f47883e48883e49893d4a893d4b893d4c893c4d8a3c4e8a3b508a3b518a' +
  '3a528b3a538b39548b39558b38568b38578c37588c37598c365a8c365b8c355c8c355d8c345e8d345f8d33608d33618d' +
  '32628d32638d31648d31658d31668d30678d30688d2f698d2f6a8d2e6b8e2e6c8e2e6d8e2d6e8e2d6f8e2c708e2c718e' +
  '2c728e2b738e2b748e2a758e2a768e2a778e29788e29798e287a8e287a8e287b8e277c8e277d8e277e8e267f8e26808e' +
  '26818e25828e25838d24848d24858d24868d23878d23888d23898d22898d228a8d228b8d218c8d218d8c218e8c208f8c' +
  '20908c20918c1f928c1f938b1f948b1f958b1f968b1e978a1e988a1e998a1e998a1e9a891e9b891e9c891e9d881e9e88' +
  '1e9f881ea0871fa1871fa2861fa38620a48520a58521a68521a78422a78423a88323a98224aa8225ab8126ac8127ad80' +
  '28ae7f29af7f2ab07e2bb17d2cb17d2eb27c2fb37b30b47a32b57a33b67935b77836b87738b97639b9763bba753dbb74' +
  '3ebc7340bd7242be7144be7045bf6f47c06e49c16d4bc26c4dc26b4fc36951c46853c56755c66657c66559c7645bc862' +
  '5ec96160c96062ca5f64cb5d67cc5c69cc5b6bcd596dce5870ce5672cf5574d05477d05279d1517cd24f7ed24e81d34c' +
  '83d34b86d44988d5478bd5468dd64490d64392d74195d73f97d83e9ad83c9dd93a9fd938a2da37a5da35a7db33aadb32' +
  'addc30afdc2eb2dd2cb5dd2bb7dd29bade27bdde26bfdf24c2df22c5df21c7e01fcae01ecde01dcfe11cd2e11bd4e11a' +
  'd7e219dae218dce218dfe318e1e318e4e318e7e419e9e419ece41aeee51bf1e51cf3e51ef6e61ff8e621fae622fde724';

const INFERNO_RGB_HEX =
  '00000300000400000601000701010901010b02010e02021003021204031404031605041806041b07051d08061f090621' +
  '0a07230b07260d08280e082a0f092d10092f120a32130a34140b36160b39170b3b190b3e1a0b401c0c431d0c451f0c47' +
  '200c4a220b4c240b4e260b50270b52290b542b0a562d0a582e0a5a300a5c32095d34095f3509603709613909623b0964' +
  '3c09653e0966400966410967430a68450a69460a69480b6a4a0b6a4b0c6b4d0c6b4f0d6c500d6c520e6c530e6d550f6d' +
  '570f6d58106d5a116d5b116e5d126e5f126e60136e62146e63146e65156e66156e68166e6a176e6b176e6d186e6e186e' +
  '70196e72196d731a6d751b6d761b6d781c6d7a1c6d7b1d6c7d1d6c7e1e6c801f6b811f6b83206b85206a86216a88216a' +
  '8922698b22698d23698e24689024689125679325679526669626669827659928649b28649c29639e2963a02a62a12b61' +
  'a32b61a42c60a62c5fa72d5fa92e5eab2e5dac2f5cae305baf315bb1315ab23259b43358b53357b73456b83556ba3655' +
  'bb3754bd3753be3852bf3951c13a50c23b4fc43c4ec53d4dc73e4cc83e4bc93f4acb4049cc4148cd4247cf4446d04544' +
  'd14643d24742d44841d54940d64a3fd74b3ed94d3dda4e3bdb4f3adc5039dd5238de5337df5436e05634e25733e35832' +
  'e45a31e55b30e65c2ee65e2de75f2ce8612be9622aea6428eb6527ec6726ed6825ed6a23ee6c22ef6d21f06f1ff0701e' +
  'f1721df2741cf2751af37719f37918f47a16f57c15f57e14f68012f68111f78310f7850ef8870df8880cf88a0bf98c09' +
  'f98e08f99008fa9107fa9306fa9506fa9706fb9906fb9b06fb9d06fb9e07fba007fba208fba40afba60bfba80dfbaa0e' +
  'fbac10fbae12fbb014fbb116fbb318fbb51afbb71cfbb91efabb21fabd23fabf25fac128f9c32af9c52cf9c72ff8c931' +
  'f8cb34f8cd37f7cf3af7d13cf6d33ff6d542f5d745f5d948f4db4bf4dc4ff3de52f3e056f3e259f2e45df2e660f1e864' +
  'f1e968f1eb6cf1ed70f1ee74f1f079f1f27df2f381f2f485f3f689f4f78df5f891f6fa95f7fb99f9fc9dfafda0fcfea4';

const TABLE_BYTES = 256 * 3;

const tables = new Map<ColormapName, Uint8Array>();

/** The shared table for `name`, decoded once. */
function sharedTable(name: ColormapName): Uint8Array {
  let table = tables.get(name);
  if (!table) {
    table = decodeTable(name);
    tables.set(name, table);
  }
  return table;
}

function decodeTable(name: ColormapName): Uint8Array {
  switch (name) {
    case 'jet':
      return decodeHex(JET_RGB_HEX);
    case 'viridis':
      return decodeHex(VIRIDIS_RGB_HEX);
    case 'inferno':
      return decodeHex(INFERNO_RGB_HEX);
    case 'gray': {
      const table = new Uint8Array(TABLE_BYTES);
      for (let index = 0; index < 256; index++) table.fill(index, index * 3, index * 3 + 3);
      return table;
    }
    default:
      // Reachable only from untyped callers (plain JS, a cast CLI string).
      throw new RangeError(`unknown colormap '${String(name)}'; expected one of: ${COLORMAP_NAMES.join(', ')}`);
  }
}

function decodeHex(hex: string): Uint8Array {
  const table = new Uint8Array(hex.length / 2);
  for (let index = 0; index < table.length; index++) {
    table[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  if (table.length !== TABLE_BYTES)
    throw new Error(`colormap table has ${table.length} bytes, expected ${TABLE_BYTES}`);
  return table;
}

/**
 * The lookup table of a colormap.
 *
 * @returns Uint8Array of length 768: 256 entries × [R, G, B], values 0–255, entry 0 for the
 *   lowest heatmap value. A fresh copy: the caller may modify it.
 */
export function colormapTable(name: ColormapName): Uint8Array {
  return sharedTable(name).slice();
}

/**
 * The table index for one heatmap value: clip to [0, 1], then `np.uint8(255 * value)`, which
 * truncates toward zero (so only exactly 1 reaches index 255, and 0.5 gives 127, not 128).
 *
 * NaN gives 0 (callers reject NaN maps earlier; this only keeps a stray NaN from crashing).
 * For float32 inputs this equals numpy's float32 product: 255 × a float32 is exact in float64,
 * and truncating it agrees with truncating numpy's rounded float32 product for every float32 in
 * [0, 1] (checked exhaustively).
 *
 * @param value any number; the heatmap convention is [0, 1]
 * @returns an integer in 0..255
 */
export function quantizeUnitValue(value: number): number {
  if (!(value > 0)) return 0; // also NaN
  if (value >= 1) return 255;
  return Math.trunc(255 * value);
}

/**
 * Colors a heatmap: each value is quantized with `quantizeUnitValue` and looked up in the table.
 * For JET this equals `cv2.applyColorMap(np.uint8(255 * np.clip(map, 0, 1)), cv2.COLORMAP_JET)`
 * with BGR turned into RGB. For viridis and inferno it equals matplotlib's `cmap(index, bytes=True)`
 * at that same integer index; note that matplotlib called with the float itself picks index
 * `floor(256 * value)` instead, one entry higher for most values.
 *
 * @param map Float32Array of N heatmap values (any layout, e.g. H×W row-major), range [0, 1];
 *   values outside are clipped, NaN counts as 0.
 * @returns Uint8Array of length 3N: [R, G, B] per value in the same order, values 0–255.
 */
export function applyColormap(map: Float32Array, name: ColormapName): Uint8Array {
  const table = sharedTable(name);
  const rgb = new Uint8Array(map.length * 3);
  for (let index = 0; index < map.length; index++) {
    const entry = quantizeUnitValue(map[index]) * 3;
    rgb[index * 3] = table[entry];
    rgb[index * 3 + 1] = table[entry + 1];
    rgb[index * 3 + 2] = table[entry + 2];
  }
  return rgb;
}
