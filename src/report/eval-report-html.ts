/**
 * `gradcam eval --report FILE.html`: one self-contained page (inline CSS and SVG, images as
 * `data:` URLs, no scripts) with the scores table, the deletion and insertion curves of every
 * method against the random baseline, the sanity-check curves and example renders.
 */
import { escapeHtml, htmlDocument } from './html-page.js';
import { formatAccuracy, type EvalReport } from '../eval/eval-report.js';
import type { MethodScores } from '../eval/evaluate.js';
import type { ExampleRow } from './eval-report-examples.js';
import { CHART_STYLE, lineChartSvg, type ChartSeries } from './svg-chart.js';

/** Distinct colors for up to 10 methods (matplotlib's tab10), then repeated. */
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
const RANDOM_COLOR = '#555555';

/** The report's own rules, after the house style (report/html-page.ts). */
const STYLE = `${CHART_STYLE}
tr.baseline td { color: #555; font-style: italic; }
.examples td { text-align: center; vertical-align: top; font-size: 12px; }
.examples img { image-rendering: pixelated; display: block; }
`;

/**
 * @returns the whole HTML document as a string (UTF-8 text)
 */
export function renderReportHtml(report: EvalReport, examples: readonly ExampleRow[]): string {
  const title = `gradcam eval: ${report.model}`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    summarySection(report),
    scoresSection(report),
    curvesSection(report),
    sanitySection(report),
    examplesSection(examples),
    protocolSection(report),
  ].join('\n');
  return htmlDocument({ title, style: STYLE, body });
}

function summarySection(report: EvalReport): string {
  const [h, w, k] = report.layer.shape;
  return [
    '<section id="summary">',
    `<p>${report.images} ${escapeHtml(report.dataset)} test images (the first of the test split), layer <code>${escapeHtml(report.layer.name)}</code> ` +
      `[${h}×${w}×${k}], ${report.steps} perturbation steps, seed ${report.seed}, backend ${escapeHtml(report.backend)}. ` +
      `Accuracy on these images ${formatAccuracy(report.accuracy)}${report.accuracyUnknown ? ` (${escapeHtml(report.accuracyUnknown)})` : ''}, ` +
      `mean confidence ${(100 * report.meanProbability).toFixed(1)}%. ` +
      `Predicted: ${escapeHtml(report.predictions.map((entry) => `${entry.name} ${entry.images}`).join(', '))}. ` +
      `Written by gradcam ${escapeHtml(report.toolVersion)} at ${escapeHtml(report.createdAt)}.</p>`,
    '</section>',
  ].join('\n');
}

function scoresSection(report: EvalReport): string {
  const row = (scores: MethodScores, baseline: boolean) =>
    `<tr${baseline ? ' class="baseline"' : ''}><td>${escapeHtml(scores.method)}</td>` +
    `<td>${scores.deletion.auc.toFixed(4)} ± ${scores.deletion.aucStandardError.toFixed(4)}</td>` +
    `<td>${scores.insertion.auc.toFixed(4)} ± ${scores.insertion.aucStandardError.toFixed(4)}</td>` +
    `<td>${scores.averageDrop.toFixed(1)}</td><td>${scores.increaseInConfidence.toFixed(1)}</td>` +
    `<td>${baseline ? '–' : scores.emptyMaps}</td></tr>`;
  return [
    '<section id="scores">',
    '<h2>Scores</h2>',
    '<table>',
    '<thead><tr><th>method</th><th>deletion AUC ↓</th><th>insertion AUC ↑</th><th>average drop % ↓</th><th>increase in confidence % ↑</th><th>empty maps</th></tr></thead>',
    '<tbody>',
    ...report.methods.map((scores) => row(scores, false)),
    row(report.random, true),
    '</tbody>',
    '</table>',
    '<p>AUCs are means over images ± their standard error.</p>',
    '</section>',
  ].join('\n');
}

function curvesSection(report: EvalReport): string {
  const randomSeries = (values: number[]): ChartSeries => ({
    name: 'random map',
    values,
    color: RANDOM_COLOR,
    dashed: true,
  });
  const charts = report.methods.map((scores, index) => {
    const color = PALETTE[index % PALETTE.length];
    const chart = (kind: 'deletion' | 'insertion') =>
      lineChartSvg({
        title: `${scores.method}: ${kind} (AUC ${scores[kind].auc.toFixed(3)} vs ${report.random[kind].auc.toFixed(3)})`,
        x: { range: [0, 1], label: kind === 'deletion' ? 'fraction of pixels removed' : 'fraction of pixels inserted' },
        y: { range: [0, 1], label: 'class probability' },
        series: [{ name: scores.method, values: scores[kind].curve, color }, randomSeries(report.random[kind].curve)],
      });
    return `<div class="method-curves" id="curves-${escapeHtml(scores.method)}">\n${chart('deletion')}\n${chart('insertion')}\n</div>`;
  });
  return [
    '<section id="curves">',
    '<h2>Deletion and insertion curves</h2>',
    '<p>Mean probability of the predicted class over the images, as pixels are removed (deletion: lower area is better) or ' +
      'inserted into the blurred image (insertion: higher area is better), most salient first. Dashed: the random map.</p>',
    `<div class="charts">\n${charts.join('\n')}\n</div>`,
    '</section>',
  ].join('\n');
}

function sanitySection(report: EvalReport): string {
  if (!report.sanity)
    return '<section id="sanity">\n<h2>Sanity check</h2>\n<p>Not run (sanity count 0).</p>\n</section>';
  const { sanity } = report;
  const chart = lineChartSvg({
    title: 'Cascading randomization: Spearman ρ with the trained model’s maps',
    x: { labels: sanity.layers, label: 'randomized down to layer' },
    // From a multiple of 0.2 at or below the lowest ρ (and at most −0.2, so 0 is never the floor) to 1.
    y: {
      range: [
        Math.min(-0.2, Math.floor(Math.min(...sanity.curves.flatMap((curve) => curve.correlation)) / 0.2) * 0.2),
        1,
      ],
      label: 'Spearman ρ',
      step: 0.2,
    },
    series: sanity.curves.map((curve, index) => ({
      name: curve.method,
      values: curve.correlation,
      color: PALETTE[index % PALETTE.length],
    })),
    width: 560,
    height: 320,
  });
  const header = `<tr><th>method</th>${sanity.layers.map((layer) => `<th>${escapeHtml(layer)}</th>`).join('')}</tr>`;
  const rows = sanity.curves.map(
    (curve) =>
      `<tr><td>${escapeHtml(curve.method)}</td>${curve.correlation.map((rho) => `<td>${rho.toFixed(3)}</td>`).join('')}</tr>`,
  );
  return [
    '<section id="sanity">',
    '<h2>Sanity check (Adebayo et al. 2018)</h2>',
    `<p>The layers' weights are re-initialized from the top (logits) down, cumulatively; after each step every method's map is ` +
      `compared with its map from the trained model by Spearman's rank correlation, mean over ${sanity.images} images. ` +
      'A map that depends on what the model learned decorrelates.</p>',
    chart,
    `<table>\n<thead>${header}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
    '</section>',
  ].join('\n');
}

function examplesSection(examples: readonly ExampleRow[]): string {
  if (examples.length === 0) return '<section id="examples">\n<h2>Examples</h2>\n<p>No examples.</p>\n</section>';
  const header = `<tr><th>image</th>${examples[0].tiles.map((tile) => `<th>${escapeHtml(tile.label)}</th>`).join('')}</tr>`;
  const rows = examples.map(
    (row) =>
      `<tr><td>${escapeHtml(row.caption)}</td>${row.tiles
        .map(
          (tile) =>
            `<td><img src="${tile.src}" width="${tile.width}" height="${tile.height}" alt="${escapeHtml(`${tile.label}: ${row.caption}`)}"></td>`,
        )
        .join('')}</tr>`,
  );
  return [
    '<section id="examples">',
    '<h2>Examples</h2>',
    '<p>Each map upsampled bilinearly, colored with JET and blended over the image (alpha 0.4), as <code>gradcam render</code> draws it.</p>',
    `<table class="examples">\n<thead>${header}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
    '</section>',
  ].join('\n');
}

function protocolSection(report: EvalReport): string {
  const entries = Object.entries(report.protocol).map(
    ([name, text]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(text)}</dd>`,
  );
  const references = report.methods.map(
    (scores) => `<dt>${escapeHtml(scores.method)}</dt><dd>${escapeHtml(scores.reference)}</dd>`,
  );
  return [
    '<section id="protocol">',
    '<h2>Protocol</h2>',
    `<dl>\n${entries.join('\n')}\n${references.join('\n')}\n</dl>`,
    '</section>',
  ].join('\n');
}
