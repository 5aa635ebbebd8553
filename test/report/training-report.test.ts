/**
 * The training report: confusion arithmetic on known answers, the page from a hand-made report,
 * and the report computed from a real (untrained, seeded) VGG on uint8 sets shaped like every
 * dataset gradcam trains on.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillBatch } from '../../src/datasets/batches.js';
import { encodePng } from '../../src/io/image-codec.js';
import type { ImageSet } from '../../src/datasets/image-set.js';
import { classScores, confusionMatrix, overallAccuracy } from '../../src/eval/confusion.js';
import { buildTrainingReport, examplesPerClass, firstIndicesPerClass } from '../../src/report/training-report.js';
import { renderTrainingReportHtml, type TrainingReport } from '../../src/report/training-report-html.js';
import { METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../src/models/metadata.js';
import { buildVgg, lastActivationLayerName, poolsForInput } from '../../src/models/vgg.js';
import { checkImages, describeInBrowser } from '../helpers/browser.js';
import { checkNesting } from '../helpers/html.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

describe('confusion matrix', () => {
  const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2];
  const predicted = [0, 0, 1, 1, 0, 1, 1, 2, 0];
  const matrix = confusionMatrix(labels, predicted, 4);

  it('counts true class × predicted class', () => {
    expect(matrix).toEqual([
      [2, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 2, 1, 0],
      [0, 0, 0, 0],
    ]);
    expect(overallAccuracy(matrix)).toBeCloseTo(4 / 9, 12);
  });

  it('gives recall, precision and the most frequent confusion per class', () => {
    expect(classScores(matrix)).toEqual([
      { images: 3, correct: 2, accuracy: 2 / 3, precision: 2 / 4, confusedWith: { index: 1, count: 1 } },
      { images: 2, correct: 1, accuracy: 1 / 2, precision: 1 / 4, confusedWith: { index: 0, count: 1 } },
      { images: 4, correct: 1, accuracy: 1 / 4, precision: 1, confusedWith: { index: 1, count: 2 } },
      { images: 0, correct: 0, accuracy: null, precision: null, confusedWith: null },
    ]);
  });

  it('refuses labels outside the classes', () => {
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow('image 1 has label 3, prediction 0; expected 0 to 2');
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(RangeError);
  });
});

describe('example choice', () => {
  it('takes the first images of each class, classes in order', () => {
    expect(firstIndicesPerClass([2, 0, 0, 1, 0, 2, 1], 4, 2)).toEqual([1, 2, 3, 6, 0, 5]);
    expect([2, 8, 10, 12, 13, 30, 256].map(examplesPerClass)).toEqual([3, 3, 2, 2, 1, 1, 1]);
  });
});

const pixel = `data:image/png;base64,${Buffer.from(encodePng({ data: new Uint8Array([9, 9, 9]), width: 1, height: 1, channels: 3 })).toString('base64')}`;

function metadataFor(classNames: string[], inputShape: [number, number, number], epochs: number): ModelMetadata {
  return {
    format: METADATA_FORMAT,
    formatVersion: METADATA_VERSION,
    toolVersion: '0.1.0',
    dataset: 'folder',
    classNames,
    inputShape,
    normalization: { mean: Array(inputShape[2]).fill(0.5), std: Array(inputShape[2]).fill(0.25) },
    targetLayer: 'relu8',
    architecture: {
      name: 'vgg11',
      width: 0.125,
      batchNorm: true,
      poolAfter: poolsForInput(inputShape[0], inputShape[1]),
    },
    training: { epochs, seed: 0, valSplit: undefined, trainImages: 40 },
    testAccuracy: 0.5,
    backend: 'cpu',
    history: Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1,
      loss: 2 - i * 0.5,
      accuracy: 0.3 + i * 0.1,
      testLoss: 2.2 - i * 0.4,
      testAccuracy: 0.25 + i * 0.1,
      imagesPerSecond: 100,
      seconds: 10,
    })),
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('renderTrainingReportHtml', () => {
  const report: TrainingReport = {
    model: 'models/a&b',
    metadata: metadataFor(['T-shirt/top', '<cat>'], [28, 28, 1], 1),
    evaluatedSplit: 'validation',
    confusion: [
      [3, 1],
      [0, 4],
    ],
    scores: classScores([
      [3, 1],
      [0, 4],
    ]),
    accuracy: 7 / 8,
    examples: [
      {
        index: 0,
        file: 'T-shirt/a.png',
        label: 0,
        predicted: 0,
        probability: 0.9,
        tiles: [{ label: 'input', src: pixel, width: 4, height: 4 }],
      },
      {
        index: 5,
        label: 0,
        predicted: 1,
        probability: 0.6,
        tiles: [{ label: 'input', src: pixel, width: 4, height: 4 }],
      },
    ],
  };
  const html = renderTrainingReportHtml(report);

  it('is one well-formed, self-contained page with every section', () => {
    const names = checkNesting(html);
    expect(names.filter((name) => name === 'html')).toHaveLength(1);
    expect([...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1])).toEqual([
      'summary',
      'curves',
      'classes',
      'confusion',
      'examples',
      'settings',
    ]);
    expect(html).not.toMatch(/<script|<iframe|url\(|@import/i);
    expect(html).not.toMatch(/href=|<link/);
    // The house page shell: a policy that allows no script and no request.
    expect(html).toContain(
      `content="default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; script-src 'none'"`,
    );
    for (const [, src] of html.matchAll(/\ssrc="([^"]*)"/g))
      expect(src.startsWith('data:image/png;base64,')).toBe(true);
  });

  it('draws one point per epoch even for a single epoch', () => {
    // Two charts × two series × one epoch.
    expect(html.match(/<circle /g)).toHaveLength(4);
    expect(html).toContain(
      '<td>1</td><td>2.0000</td><td>30.00%</td><td>2.2000</td><td>25.00%</td><td>100.0</td><td>10.0</td>',
    );
  });

  it('shows the per-class table and the confusion matrix, escaped', () => {
    expect(html).toContain(
      '<tr><td>T-shirt/top</td><td>4</td><td>3</td><td>75.0%</td><td>100.0%</td><td>&lt;cat&gt; (1)</td></tr>',
    );
    expect(html).toContain('<tr><td>&lt;cat&gt;</td><td>4</td><td>4</td><td>100.0%</td><td>80.0%</td><td>–</td></tr>');
    const cells = [
      ...html.matchAll(/<td style="background: rgba\(([\d, ]+), ([\d.]+)\)[^"]*" title="([^"]*)">(\d+)<\/td>/g),
    ].map((m) => [m[1], m[2], m[3], m[4]]);
    expect(cells).toEqual([
      ['31, 119, 180', '0.750', 'true T-shirt/top, predicted T-shirt/top: 3 (75.0% of T-shirt/top)', '3'],
      ['214, 39, 40', '0.250', 'true T-shirt/top, predicted &lt;cat&gt;: 1 (25.0% of T-shirt/top)', '1'],
      ['214, 39, 40', '0.000', 'true &lt;cat&gt;, predicted T-shirt/top: 0 (0.0% of &lt;cat&gt;)', '0'],
      ['31, 119, 180', '1.000', 'true &lt;cat&gt;, predicted &lt;cat&gt;: 4 (100.0% of &lt;cat&gt;)', '4'],
    ]);
    expect(html).not.toContain('<cat>');
    // Settings: recorded options, without those this run did not have.
    expect(html).toContain('<dt>epochs</dt><dd>1</dd>');
    expect(html).not.toContain('valSplit');
    expect(html).toContain('gradcam train: models/a&amp;b');
  });

  it('captions every example with the truth, the prediction and what the map explains; wrong ones marked', () => {
    const captions = [...html.matchAll(/<figure( class="wrong")?>.*?<figcaption>(.*?)<\/figcaption>/g)].map((m) => [
      Boolean(m[1]),
      m[2],
    ]);
    expect(captions).toEqual([
      [
        false,
        'validation #0 (T-shirt/a.png): true T-shirt/top, ✓ predicted T-shirt/top (90.0%); map explains T-shirt/top',
      ],
      [
        true,
        'validation #5: true T-shirt/top, <span class="wrong-mark">✗ predicted &lt;cat&gt;</span> (60.0%); map explains &lt;cat&gt;',
      ],
    ]);
    expect(html).toContain('<h3>&lt;cat&gt;</h3>\n<p>No validation images of this class.</p>');
  });
});

/** `count` images of `shape`, label n % classes, pixels from a fixed pattern. */
function syntheticSet(count: number, [height, width, channels]: [number, number, number], classes: number): ImageSet {
  const images = new Uint8Array(count * height * width * channels);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37 + Math.floor(i / 97) * 11) % 256;
  return {
    images,
    labels: Uint8Array.from({ length: count }, (_, n) => (n * 7) % classes),
    count,
    height,
    width,
    channels,
  };
}

/** Pages built by the buildTrainingReport tests, opened in Chromium below. */
const pages: { name: string; html: string; images: number }[] = [];

describe('buildTrainingReport', () => {
  for (const [name, shape, classes] of [
    ['MNIST-shaped', [28, 28, 1], 10],
    ['CIFAR-shaped', [32, 32, 3], 10],
    ['a two-class folder at 20×14', [14, 20, 3], 2],
  ] as const) {
    it(`agrees with the model's own predictions (${name}) and leaves no tensors`, () => {
      const inputShape: [number, number, number] = [...shape];
      const classNames = Array.from({ length: classes }, (_, i) => `class ${i}`);
      const metadata = metadataFor(classNames, inputShape, 2);
      const model = buildVgg({
        inputShape,
        classes,
        width: 0.125,
        batchNorm: true,
        poolAfter: metadata.architecture.poolAfter,
        seed: 3,
      });
      metadata.targetLayer = lastActivationLayerName({ batchNorm: true });
      const test = syntheticSet(45, inputShape, classes);
      const files = Array.from({ length: test.count }, (_, i) => `/data/train/c${test.labels[i]}/${i}.png`);
      const tensorsBefore = tf.memory().numTensors;
      const report = buildTrainingReport({
        model,
        metadata,
        modelName: 'm',
        test,
        evaluatedSplit: 'test',
        testFiles: files,
      });
      expect(tf.memory().numTensors).toBe(tensorsBefore);

      // Independent: tfjs's own predict() (softmax output) on the same normalized batch.
      const batch = fillBatch(
        test,
        Int32Array.from({ length: test.count }, (_, i) => i),
        metadata.normalization,
      );
      const probabilities = tf.tidy(
        () => (model.predict(tf.tensor4d(batch.images, batch.shape)) as tf.Tensor).arraySync() as number[][],
      );
      const expected = confusionMatrix(
        test.labels,
        probabilities.map((row) => row.indexOf(Math.max(...row))),
        classes,
      );
      expect(report.confusion).toEqual(expected);
      expect(report.accuracy).toBe(overallAccuracy(expected));

      const perClass = examplesPerClass(classes);
      expect(report.examples.map((example) => example.index)).toEqual(
        firstIndicesPerClass(test.labels, classes, perClass),
      );
      const scale = Math.ceil(96 / Math.min(shape[0], shape[1]));
      for (const example of report.examples) {
        expect(example.label).toBe(test.labels[example.index]);
        expect(example.predicted).toBe(probabilities[example.index].indexOf(Math.max(...probabilities[example.index])));
        expect(example.probability).toBeCloseTo(Math.max(...probabilities[example.index]), 5);
        expect(example.file).toBe(`c${example.label}/${example.index}.png`);
        expect(example.tiles.map((tile) => tile.label)).toEqual(['input', 'gradcam']);
        for (const tile of example.tiles) {
          const png = PNG.sync.read(Buffer.from(tile.src.slice('data:image/png;base64,'.length), 'base64'));
          expect([png.width, png.height]).toEqual([shape[1] * scale, shape[0] * scale]);
        }
      }
      const html = renderTrainingReportHtml(report);
      checkNesting(html);
      pages.push({ name, html, images: 2 * report.examples.length });
      model.dispose();
    });
  }
});

describeInBrowser('the training report in Chromium', (session) => {
  const work = mkdtempSync(join(tmpdir(), 'gradcam-training-report-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('opens without console errors or failed requests, every image loads and the charts are drawn', async () => {
    expect(pages.map((page) => page.name)).toHaveLength(3);
    for (const [index, { name, html, images }] of pages.entries()) {
      const path = join(work, `report-${index}.html`);
      writeFileSync(path, html);
      const opened = await session().open(path);
      try {
        const check = await checkImages(opened.page);
        expect({ name, ...check }).toEqual({ name, total: images, displayed: images, broken: [] });
        const drawn = await opened.page.evaluate(() => ({
          charts: Array.from(document.querySelectorAll('#curves svg')).map((svg) =>
            Math.round(svg.getBoundingClientRect().width),
          ),
          matrixRows: document.querySelectorAll('table.confusion tbody tr').length,
          points: document.querySelectorAll('#curves circle').length,
        }));
        expect(drawn).toEqual({
          charts: [380, 380],
          matrixRows: name.startsWith('a two-class') ? 2 : 10,
          points: 2 * 2 * 2,
        });
        expect(opened.problems).toEqual([]);
      } finally {
        await opened.close();
      }
    }
  });
});
