/**
 * The training report page, `report.html` in a model directory: one self-contained file (inline
 * CSS and SVG, images as `data:` URLs, no scripts) with the run's settings, loss and accuracy per
 * epoch, per-class scores, the confusion matrix and Grad-CAM examples of each class. Pure string
 * building from a TrainingReport (training-report.ts computes one).
 */
import type { ModelMetadata } from '../models/metadata.js';
import type { ClassScore, ConfusionMatrix } from '../eval/confusion.js';
import type { ExampleTile } from './eval-report-examples.js';
import { escapeHtml, htmlDocument } from './html-page.js';
import { CHART_STYLE, lineChartSvg } from './svg-chart.js';

export interface TrainingExample {
  /** Index in the evaluated split. */
  index: number;
  /** File name (folder datasets), else undefined. */
  file?: string;
  label: number;
  predicted: number;
  probability: number;
  /** The input and its Grad-CAM blend, as `render` draws them. */
  tiles: ExampleTile[];
}

export interface TrainingReport {
  /** The model directory, as the user named it. */
  model: string;
  metadata: ModelMetadata;
  /** What the per-epoch test figures and everything below them were measured on. */
  evaluatedSplit: 'test' | 'validation';
  confusion: ConfusionMatrix;
  scores: ClassScore[];
  /** Accuracy of the finished model on the evaluated split. */
  accuracy: number;
  examples: TrainingExample[];
}

const TRAIN_COLOR = '#1f77b4';
const TEST_COLOR = '#ff7f0e';

/** The page's own rules, after the house style (report/html-page.ts). */
const STYLE = `${CHART_STYLE}
.confusion td, .confusion th { text-align: center; border: 1px solid #e4e4e4; min-width: 2.2em; font-size: 12px; }
.confusion th.predicted { writing-mode: vertical-rl; transform: rotate(180deg); text-align: left; vertical-align: bottom; }
.confusion th.true { text-align: right; }
.class-examples { display: flex; flex-wrap: wrap; gap: 0.8em; }
figure { margin: 0; padding: 0.3em; border: 2px solid #cfe8cf; border-radius: 4px; }
figure.wrong { border-color: #e8a0a0; background: #fff4f4; }
figure img { image-rendering: pixelated; display: inline-block; vertical-align: top; }
figcaption { font-size: 12px; max-width: 220px; margin-top: 0.2em; }
.wrong-mark { color: #c00; font-weight: 600; }
`;

/** @returns the whole HTML document (UTF-8 text). */
export function renderTrainingReportHtml(report: TrainingReport): string {
  const title = `gradcam train: ${report.model}`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    summarySection(report),
    curvesSection(report),
    classesSection(report),
    confusionSection(report),
    examplesSection(report),
    settingsSection(report.metadata),
  ].join('\n');
  return htmlDocument({ title, style: STYLE, body });
}

function percent(fraction: number | null, digits = 1): string {
  return fraction === null ? '–' : `${(100 * fraction).toFixed(digits)}%`;
}

function summarySection(report: TrainingReport): string {
  const { metadata } = report;
  const [h, w, c] = metadata.inputShape;
  const images = report.confusion.flat().reduce((sum, n) => sum + n, 0);
  const last = metadata.history.at(-1);
  const seconds = metadata.history.reduce((sum, record) => sum + record.seconds, 0);
  return [
    '<section id="summary">',
    `<p>VGG-11 (width ${metadata.architecture.width}, ${metadata.architecture.batchNorm ? 'batch norm' : 'no batch norm'}) on ` +
      `<strong>${escapeHtml(metadata.dataset)}</strong>: ${metadata.classNames.length} classes, ${h}×${w}×${c} inputs, ` +
      `${String(metadata.training.trainImages ?? '?')} training images, ${metadata.history.length} epoch(s) in ${seconds.toFixed(0)} s of training ` +
      `(${last ? last.imagesPerSecond.toFixed(1) : '–'} images/s in the last epoch) on ${escapeHtml(metadata.backend)}.</p>`,
    `<p>Accuracy on the ${images} ${report.evaluatedSplit} images: <strong>${percent(report.accuracy, 2)}</strong>.` +
      (report.evaluatedSplit === 'validation'
        ? ' The validation images were held out of the training folder (stratified, seeded); the model never trained on them.'
        : '') +
      '</p>',
    '</section>',
  ].join('\n');
}

function curvesSection(report: TrainingReport): string {
  const { history } = report.metadata;
  const split = report.evaluatedSplit;
  const epochs = { labels: history.map((record) => String(record.epoch)), label: 'epoch' };
  const losses = history.flatMap((record) => [record.loss, record.testLoss]);
  // From 0 to a round number above the highest loss, so curves of different runs compare at a glance.
  const lossTop = Math.max(0.5, Math.ceil(Math.max(...losses, 0) * 2) / 2);
  const loss = lineChartSvg({
    title: 'Loss (cross-entropy)',
    x: epochs,
    y: { range: [0, lossTop], label: 'loss' },
    series: [
      {
        name: 'training (running mean over the epoch)',
        values: history.map((record) => record.loss),
        color: TRAIN_COLOR,
        markers: true,
      },
      { name: split, values: history.map((record) => record.testLoss), color: TEST_COLOR, markers: true, dashed: true },
    ],
  });
  const accuracy = lineChartSvg({
    title: 'Accuracy',
    x: epochs,
    y: { range: [0, 1], label: 'accuracy', step: 0.2 },
    series: [
      {
        name: 'training (running mean over the epoch)',
        values: history.map((record) => record.accuracy),
        color: TRAIN_COLOR,
        markers: true,
      },
      {
        name: split,
        values: history.map((record) => record.testAccuracy),
        color: TEST_COLOR,
        markers: true,
        dashed: true,
      },
    ],
  });
  const rows = history.map(
    (record) =>
      `<tr><td>${record.epoch}</td><td>${record.loss.toFixed(4)}</td><td>${percent(record.accuracy, 2)}</td>` +
      `<td>${record.testLoss.toFixed(4)}</td><td>${percent(record.testAccuracy, 2)}</td>` +
      `<td>${record.imagesPerSecond.toFixed(1)}</td><td>${record.seconds.toFixed(1)}</td></tr>`,
  );
  return [
    '<section id="curves">',
    '<h2>Loss and accuracy per epoch</h2>',
    `<div class="charts">\n${loss}\n${accuracy}\n</div>`,
    '<table>',
    `<thead><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>${split} loss</th><th>${split} accuracy</th><th>images/s</th><th>seconds</th></tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    '<p>Training figures are running means over each epoch, with augmentation and dropout on; ' +
      `the ${split} figures are measured after the epoch, in inference mode.</p>`,
    '</section>',
  ].join('\n');
}

function classesSection(report: TrainingReport): string {
  const names = report.metadata.classNames;
  const rows = report.scores.map((score, index) => {
    const confused = score.confusedWith
      ? `${escapeHtml(names[score.confusedWith.index])} (${score.confusedWith.count})`
      : '–';
    return (
      `<tr><td>${escapeHtml(names[index])}</td><td>${score.images}</td><td>${score.correct}</td>` +
      `<td>${percent(score.accuracy)}</td><td>${percent(score.precision)}</td><td>${confused}</td></tr>`
    );
  });
  return [
    '<section id="classes">',
    `<h2>Per-class accuracy (${report.evaluatedSplit} split)</h2>`,
    '<table>',
    '<thead><tr><th>class</th><th>images</th><th>correct</th><th>accuracy (recall)</th><th>precision</th><th>most often mistaken for</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    '</section>',
  ].join('\n');
}

function confusionSection(report: TrainingReport): string {
  const names = report.metadata.classNames;
  const header = `<tr><th></th>${names.map((name) => `<th class="predicted" scope="col">${escapeHtml(name)}</th>`).join('')}</tr>`;
  const rows = report.confusion.map((row, truth) => {
    const total = row.reduce((sum, n) => sum + n, 0);
    const cells = row.map((count, predicted) => {
      const share = total > 0 ? count / total : 0;
      // Blue on the diagonal (right), red off it (wrong), stronger for a larger share of the row.
      const rgb = predicted === truth ? '31, 119, 180' : '214, 39, 40';
      const text = share > 0.55 ? '#fff' : '#222';
      const tooltip = `true ${names[truth]}, predicted ${names[predicted]}: ${count} (${percent(share)} of ${names[truth]})`;
      return `<td style="background: rgba(${rgb}, ${share.toFixed(3)}); color: ${text}" title="${escapeHtml(tooltip)}">${count}</td>`;
    });
    return `<tr><th class="true" scope="row">${escapeHtml(names[truth])}</th>${cells.join('')}</tr>`;
  });
  return [
    '<section id="confusion">',
    `<h2>Confusion matrix (${report.evaluatedSplit} split)</h2>`,
    '<p>Rows: true class; columns: predicted class. Cell colour: the share of the row.</p>',
    `<table class="confusion">\n<thead>${header}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
    '</section>',
  ].join('\n');
}

function examplesSection(report: TrainingReport): string {
  const names = report.metadata.classNames;
  const split = report.evaluatedSplit;
  const groups = names.map((name, label) => {
    const mine = report.examples.filter((example) => example.label === label);
    if (mine.length === 0) return `<h3>${escapeHtml(name)}</h3>\n<p>No ${split} images of this class.</p>`;
    const figures = mine.map((example) => {
      const wrong = example.predicted !== example.label;
      const what = `${split} #${example.index}${example.file ? ` (${example.file})` : ''}`;
      const verdict = wrong
        ? `<span class="wrong-mark">✗ predicted ${escapeHtml(names[example.predicted])}</span>`
        : `✓ predicted ${escapeHtml(names[example.predicted])}`;
      const images = example.tiles
        .map(
          (tile) =>
            `<img src="${tile.src}" width="${tile.width}" height="${tile.height}" alt="${escapeHtml(`${tile.label}: ${what}, true ${name}`)}">`,
        )
        .join('');
      return (
        `<figure${wrong ? ' class="wrong"' : ''}>${images}` +
        `<figcaption>${escapeHtml(what)}: true ${escapeHtml(name)}, ${verdict} (${percent(example.probability)}); map explains ${escapeHtml(names[example.predicted])}</figcaption></figure>`
      );
    });
    return `<h3>${escapeHtml(name)}</h3>\n<div class="class-examples">\n${figures.join('\n')}\n</div>`;
  });
  return [
    '<section id="examples">',
    '<h2>Grad-CAM examples</h2>',
    `<p>The first ${split} images of each class: the input, and the Grad-CAM map of the predicted class at layer ` +
      `<code>${escapeHtml(report.metadata.targetLayer)}</code> (bilinear upsampling, JET, blended at alpha 0.4, as <code>gradcam render</code> draws it). ` +
      'A red frame marks a wrong prediction.</p>',
    ...groups,
    '</section>',
  ].join('\n');
}

function settingsSection(metadata: ModelMetadata): string {
  const entries: [string, unknown][] = [
    ...Object.entries(metadata.training),
    ['architecture', metadata.architecture],
    ['input shape', metadata.inputShape],
    ['normalization', metadata.normalization],
    ['target layer', metadata.targetLayer],
    ['backend', metadata.backend],
    ['written by', `gradcam ${metadata.toolVersion} at ${metadata.createdAt}`],
  ];
  // Options not given for this dataset (e.g. valSplit on MNIST) are undefined: nothing to show.
  const rows = entries
    .filter(([, value]) => value !== undefined)
    .map(
      ([name, value]) =>
        `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</dd>`,
    );
  return ['<section id="settings">', '<h2>Settings</h2>', `<dl>\n${rows.join('\n')}\n</dl>`, '</section>'].join('\n');
}
