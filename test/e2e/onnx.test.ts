/**
 * ONNX models through the real launcher: `cam` on the PNG of a PyTorch fixture with
 * `--preprocess torch` and no other option gives pytorch-grad-cam's map at the default layer (a
 * ResNet's last block; a ViT's last block's first LayerNorm, its token grid recorded in cam.json),
 * a directory holding one .onnx file works, `inspect` lists nodes with their PyTorch modules, and
 * every hostile file is a one-line error naming the file.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/cam-output/npy.js';
import { runCli } from '../helpers/run-cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const SCHEMA = fileURLToPath(new URL('../../schemas/onnx.proto', import.meta.url));

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-onnx-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface FixtureLayer {
  role: string;
  onnxNode: string;
  map: number[][];
}

async function fixture(name: string): Promise<{ predictedClass: number; layers: FixtureLayer[] }> {
  return JSON.parse(await readFile(join(FIXTURES, `${name}.json`), 'utf8'));
}

function minMax(values: ArrayLike<number>): number[] {
  const list = Array.from(values);
  const low = Math.min(...list);
  const range = Math.max(...list) - low;
  return list.map((v) => (range > 0 ? (v - low) / range : 0));
}

function expectOneLineError(result: { code: number; stderr: string }, code: number, pattern: RegExp): void {
  expect(result.code).toBe(code);
  const lines = result.stderr.trim().split('\n');
  expect(lines.at(-1)).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe.each([
  { model: 'mini-resnet', opset: 13, grid: undefined },
  { model: 'mini-vit', opset: 17, grid: /class token dropped.*4×4 grid/ },
])('gradcam cam on $model.opset$opset.onnx', ({ model, opset, grid }) => {
  it("gives pytorch-grad-cam's map at the default layer with --preprocess torch alone", async () => {
    const expected = await fixture(`${model}.opset${opset}`);
    const out = join(root, `cam-${model}`);
    const result = await runCli([
      'cam',
      '--model',
      join(FIXTURES, `${model}.opset${opset}.onnx`),
      '--image',
      join(FIXTURES, `${model}.png`),
      '--preprocess',
      'torch',
      '--out',
      out,
    ]);
    expect(result.stderr).not.toMatch(/error|warning/);
    expect(result.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'cam.json'), 'utf8'));
    const layer = expected.layers.find((candidate) => candidate.role === 'default') as FixtureLayer;
    expect(manifest.layer.name).toBe(layer.onnxNode);
    if (grid) expect(manifest.layer.grid).toMatch(grid);
    else expect(manifest.layer.grid).toBeUndefined();
    const [entry] = manifest.entries;
    expect(entry.predicted.index).toBe(expected.predictedClass);
    const map = decodeNpy(await readFile(join(out, entry.heatmap)), entry.heatmap);
    expect(map.shape).toEqual([layer.map.length, layer.map[0].length]);
    const ours = minMax(map.data as Float32Array);
    const worst = Math.max(...layer.map.flat().map((value, index) => Math.abs(value - ours[index])));
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('a directory holding one .onnx file', () => {
  it('is read as that model, and inspect lists nodes with PyTorch modules and the default', async () => {
    const directory = join(root, 'resnet-dir');
    await mkdir(directory);
    await copyFile(join(FIXTURES, 'mini-resnet.opset13.onnx'), join(directory, 'resnet.onnx'));
    const result = await runCli(['inspect', '--model', directory, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.modelFormat).toBe('onnx');
    expect(report.input).toEqual({ height: 32, width: 32, channels: 3 });
    expect(report.defaultTarget).toBe('/layer2/layer2.0/relu_1/Relu');
    const branch = report.layers.find((layer: { name: string }) => layer.name === '/layer2/layer2.0/relu/Relu');
    expect(branch).toMatchObject({ type: 'Relu', module: 'layer2.0.relu', explainable: true, onEveryPath: false });
    const flatten = report.layers.find((layer: { type: string }) => layer.type === 'Flatten');
    expect(flatten.explainable).toBe(false);
  });

  it('is refused when it holds two', async () => {
    const directory = join(root, 'two');
    await mkdir(directory);
    await copyFile(join(FIXTURES, 'mini-resnet.opset13.onnx'), join(directory, 'a.onnx'));
    await copyFile(join(FIXTURES, 'mini-resnet.opset17.onnx'), join(directory, 'b.onnx'));
    const result = await runCli(['inspect', '--model', directory]);
    expectOneLineError(result, 1, /two: holds 2 \.onnx files \(a\.onnx, b\.onnx\); give the one to use$/);
  });
});

describe('hostile ONNX files are one-line errors naming the file', () => {
  let modelType: protobuf.Type;
  // biome-ignore lint/suspicious/noExplicitAny: a decoded protobuf message, edited field by field
  let decoded: () => Promise<any>;

  beforeAll(async () => {
    modelType = (await protobuf.load(SCHEMA)).lookupType('onnx.ModelProto');
    decoded = async () => modelType.decode(await readFile(join(FIXTURES, 'mini-resnet.opset13.onnx')));
  });

  // biome-ignore lint/suspicious/noExplicitAny: see above
  async function writeModel(name: string, message: any): Promise<string> {
    const path = join(root, name);
    await writeFile(path, modelType.encode(message).finish());
    return path;
  }

  const inspect = (path: string) => runCli(['inspect', '--model', path]);

  it('a truncated protobuf', async () => {
    const bytes = await readFile(join(FIXTURES, 'mini-resnet.opset13.onnx'));
    const path = join(root, 'truncated.onnx');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expectOneLineError(
      await inspect(path),
      1,
      /truncated\.onnx: not an ONNX model \(the protobuf is truncated or malformed/,
    );
  });

  it('unknown ops, all named at once with one node each', async () => {
    const message = await decoded();
    message.graph.node[1].opType = 'Frobnicate';
    message.graph.node[4].opType = 'Frobnicate';
    message.graph.node[2].opType = 'GridSample';
    const path = await writeModel('unknown-op.onnx', message);
    expectOneLineError(
      await inspect(path),
      2,
      /unknown-op\.onnx: unsupported ONNX ops Frobnicate \(node "\/relu\/Relu"\), GridSample \(node "\/maxpool\/MaxPool"\); see docs\/onnx\.md/,
    );
  });

  it('external data outside the model folder', async () => {
    const message = await decoded();
    const weight = message.graph.initializer[0];
    weight.rawData = new Uint8Array(0);
    weight.dataLocation = 1;
    weight.externalData = [{ key: 'location', value: '../outside.bin' }];
    const path = await writeModel('outside.onnx', message);
    expectOneLineError(
      await inspect(path),
      1,
      /outside\.onnx: tensor ".*" names external data "\.\.\/outside\.bin"; expected a file inside /,
    );
  });

  it('a shape that would need gigabytes', async () => {
    const message = await decoded();
    message.graph.initializer[0].dims = [100000, 100000];
    const path = await writeModel('huge.onnx', message);
    expectOneLineError(await inspect(path), 1, /huge\.onnx: tensor ".*" declares \[100000, 100000\] \(37\.3 GiB\)/);
  });

  it('a graph cycle', async () => {
    const message = await decoded();
    // The first Relu reads the output of the last Relu, which depends on it.
    const relus = message.graph.node.filter((node: { opType: string }) => node.opType === 'Relu');
    relus[0].input = [relus.at(-1).output[0]];
    const path = await writeModel('cycle.onnx', message);
    expectOneLineError(await inspect(path), 1, /cycle\.onnx: the graph has a cycle through node "/);
  });

  it('an opset outside 11 to 18', async () => {
    const message = await decoded();
    message.opsetImport = [{ domain: '', version: 9 }];
    const path = await writeModel('opset9.onnx', message);
    expectOneLineError(
      await inspect(path),
      1,
      /opset9\.onnx: opset 9; models exported at opsets 11 to 18 are supported/,
    );
  });

  it('a missing file', async () => {
    expectOneLineError(await inspect(join(root, 'missing.onnx')), 1, /missing\.onnx: no such file$/);
  });
});

describe('weights in an external data file beside the model', () => {
  it('are read at their offset and give the same map', async () => {
    const modelType = (await protobuf.load(SCHEMA)).lookupType('onnx.ModelProto');
    // biome-ignore lint/suspicious/noExplicitAny: a decoded protobuf message, edited field by field
    const message: any = modelType.decode(await readFile(join(FIXTURES, 'mini-resnet.opset13.onnx')));
    const directory = join(root, 'external');
    await mkdir(directory);
    // Every float initializer moves to weights.bin, after 3 bytes of padding (unaligned offsets).
    const chunks: Uint8Array[] = [new Uint8Array(3)];
    let offset = 3;
    for (const initializer of message.graph.initializer) {
      if (initializer.dataType !== 1 || initializer.rawData.length === 0) continue;
      const bytes = Uint8Array.from(initializer.rawData);
      initializer.rawData = new Uint8Array(0);
      initializer.dataLocation = 1;
      initializer.externalData = [
        { key: 'location', value: 'weights.bin' },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.length) },
      ];
      chunks.push(bytes);
      offset += bytes.length;
    }
    expect(chunks.length).toBeGreaterThan(3);
    await writeFile(join(directory, 'weights.bin'), Buffer.concat(chunks));
    await writeFile(join(directory, 'model.onnx'), modelType.encode(message).finish());
    const out = join(directory, 'out');
    const result = await runCli([
      'cam',
      '--model',
      directory,
      '--image',
      join(FIXTURES, 'mini-resnet.png'),
      '--preprocess',
      'torch',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const expected = await fixture('mini-resnet.opset13');
    const [entry] = JSON.parse(await readFile(join(out, 'cam.json'), 'utf8')).entries;
    expect(entry.predicted.index).toBe(expected.predictedClass);
    const ours = minMax(decodeNpy(await readFile(join(out, entry.heatmap)), entry.heatmap).data as Float32Array);
    const theirs = (expected.layers.find((layer) => layer.role === 'default') as FixtureLayer).map.flat();
    expect(Math.max(...theirs.map((value, index) => Math.abs(value - ours[index])))).toBeLessThan(1e-3);
  });
});

describe('gradcam eval on an ONNX model', () => {
  it('scores the maps and runs the sanity check over the initializers, output side first', async () => {
    const data = join(root, 'eval-data');
    for (const split of ['train', 'test'])
      for (const [label, name] of [
        ['a', 'mini-resnet'],
        ['b', 'mini-vit'],
      ]) {
        await mkdir(join(data, split, label), { recursive: true });
        await copyFile(join(FIXTURES, `${name}.png`), join(data, split, label, '1.png'));
      }
    const result = await runCli([
      'eval',
      '--model',
      join(FIXTURES, 'mini-resnet.opset13.onnx'),
      '--dataset',
      'folder',
      '--data',
      data,
      '--preprocess',
      'torch',
      '--methods',
      'gradcam',
      '--steps',
      '4',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.layer).toEqual({ name: '/layer2/layer2.0/relu_1/Relu', shape: [4, 4, 16] });
    expect(report.sanity.layers).toEqual([
      '/fc/Gemm',
      '/layer2/layer2.0/conv2/Conv',
      '/layer2/layer2.0/conv1/Conv',
      '/layer2/layer2.0/downsample/downsample.0/Conv',
      '/layer1/layer1.0/conv2/Conv',
      '/layer1/layer1.0/conv1/Conv',
      '/conv1/Conv',
    ]);
    const [curve] = report.sanity.curves;
    // Re-drawn weights change the maps: no step keeps a perfect rank correlation.
    expect(curve.correlation.every((value: number) => value < 0.99)).toBe(true);
  });
});
