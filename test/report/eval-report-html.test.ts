/**
 * The report page and the stdout table, from a hand-made result.
 */
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/io/image-codec.js';
import {
  EVAL_REPORT_FORMAT,
  EVAL_REPORT_VERSION,
  formatEvalTable,
  type EvalReport,
} from '../../src/eval/eval-report.js';
import type { MethodScores } from '../../src/eval/evaluate.js';
import type { ExampleRow } from '../../src/report/eval-report-examples.js';
import { renderReportHtml } from '../../src/report/eval-report-html.js';
import { lineChartSvg } from '../../src/report/svg-chart.js';
import { escapeHtml } from '../../src/report/html-page.js';
import { checkNesting } from '../helpers/html.js';

function scores(method: string, deletion: number, insertion: number): MethodScores {
  return {
    method,
    reference: `${method} et al. <2018>`,
    deletion: { auc: deletion, aucStandardError: 0.01, curve: [0.9, deletion, 0.1] },
    insertion: { auc: insertion, aucStandardError: 0.02, curve: [0.1, insertion, 0.9] },
    averageDrop: 12.345,
    increaseInConfidence: 5,
    emptyMaps: 1,
  };
}

const report: EvalReport = {
  format: EVAL_REPORT_FORMAT,
  formatVersion: EVAL_REPORT_VERSION,
  toolVersion: '0.1.0',
  createdAt: '2025-01-01T00:00:00.000Z',
  model: '/models/a&b',
  dataset: 'mnist',
  backend: 'cpu',
  layer: { name: 'conv8', shape: [7, 7, 64] },
  images: 20,
  steps: 2,
  maxChannels: null,
  seed: 3,
  classes: { model: ['0', '1', '7'], dataset: ['0', '1', '7'] },
  accuracy: 0.95,
  predictions: [
    { class: 2, name: '7', images: 12 },
    { class: 0, name: '0', images: 8 },
  ],
  meanProbability: 0.9,
  protocol: {
    target: 't',
    deletion: 'd',
    insertion: 'i',
    imageTimesMap: 'm',
    randomBaseline: 'r',
    sanity: 's',
    defaults: 'the full protocol',
  },
  random: scores('random', 0.5, 0.5),
  methods: [scores('gradcam', 0.2, 0.8), scores('gradcam++', 0.25, 0.75)],
  sanity: {
    layers: ['logits', 'fc1', 'conv8'],
    steps: [1, 2, 3],
    cascadeLength: 3,
    images: 20,
    curves: [
      { method: 'gradcam', correlation: [0.4, 0.1, -0.3], constantMaps: [0, 0, 1] },
      { method: 'gradcam++', correlation: [0.9, 0.8, 0.5], constantMaps: [0, 0, 0] },
    ],
  },
};

const pixel = encodePng({ data: new Uint8Array([255, 0, 0]), width: 1, height: 1, channels: 3 });
const examples: ExampleRow[] = [
  {
    caption: 'test #0: label 7, predicted 7 (99.0%)',
    tiles: ['input', 'gradcam', 'gradcam++'].map((label) => ({
      label,
      src: `data:image/png;base64,${Buffer.from(pixel).toString('base64')}`,
      width: 4,
      height: 4,
    })),
  },
];

describe('renderReportHtml', () => {
  const html = renderReportHtml(report, examples);

  it('is one well-formed HTML document with the expected sections', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    const names = checkNesting(html);
    expect(names.filter((name) => name === 'html')).toHaveLength(1);
    expect(names.filter((name) => name === 'body')).toHaveLength(1);
    const sections = [...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1]);
    expect(sections).toEqual(['summary', 'scores', 'curves', 'sanity', 'examples', 'protocol']);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it('is self-contained: no scripts, no external resources, images as PNG data URLs', () => {
    expect(html).not.toMatch(/<script|<link|<iframe|url\(|@import/i);
    const sources = [...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]);
    expect(sources).toHaveLength(3);
    for (const src of sources) {
      expect(src.startsWith('data:image/png;base64,')).toBe(true);
      expect(Array.from(Buffer.from(src.slice('data:image/png;base64,'.length), 'base64').subarray(0, 8))).toEqual([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
      ]);
    }
    expect(html).not.toMatch(/href=/);
  });

  it('has the table rows, a deletion and an insertion chart per method, and the sanity chart', () => {
    const rows = [...html.matchAll(/<tr( class="baseline")?><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => [
      m[2],
      m[3],
    ]);
    expect(rows.slice(0, 3)).toEqual([
      ['gradcam', '0.2000 ± 0.0100'],
      ['gradcam++', '0.2500 ± 0.0100'],
      ['random', '0.5000 ± 0.0100'],
    ]);
    const svgs = html.match(/<svg /g) ?? [];
    expect(svgs).toHaveLength(2 * 2 + 1);
    expect(html).toContain('gradcam: deletion (AUC 0.200 vs 0.500)');
    expect(html).toContain('gradcam++: insertion (AUC 0.750 vs 0.500)');
    // The sanity table and one polyline per method in the sanity chart (+ 2 per curve chart).
    expect(html).toContain('<td>gradcam</td><td>0.400</td><td>0.100</td><td>-0.300</td>');
    expect(html.match(/<polyline /g)).toHaveLength(2 * 2 * 2 + 2);
  });

  it('escapes text', () => {
    expect(html).toContain('/models/a&amp;b');
    expect(html).toContain('gradcam et al. &lt;2018&gt;');
    expect(html).not.toContain('a&b');
  });

  it('says when the sanity check was skipped', () => {
    const page = renderReportHtml({ ...report, sanity: null }, []);
    checkNesting(page);
    expect(page).toMatch(/<section id="sanity">\n<h2>Sanity check<\/h2>\n<p>Not run/);
    expect(page).toContain('No examples.');
  });
});

describe('lineChartSvg', () => {
  it('places points on the plot area: first at the left axis, values scaled to the y range', () => {
    const svg = lineChartSvg({
      title: 't',
      x: { range: [0, 1], label: 'x' },
      y: { range: [0, 1], label: 'y' },
      series: [{ name: 'a', values: [1, 0.5, 0], color: 'red' }],
      width: 200,
      height: 150,
    });
    // Plot area: x from 48 to 200 − 24 = 176, y from 34 to 150 − 58 = 92.
    expect(svg).toContain('points="48.0,34.0 112.0,63.0 176.0,92.0"');
    expect(svg).toContain('height="165"'); // 150 + one legend line
  });

  it('escapes markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('formatEvalTable', () => {
  it('prints the scores and the sanity correlations as aligned columns', () => {
    expect(formatEvalTable(report)).toBe(
      [
        '20 mnist test images, layer conv8 [7×7×64], 2 steps, seed 3; accuracy 95.0%, mean confidence 90.0%',
        'predicted: 7 12, 0 8',
        '',
        'method     deletion AUC ↓  insertion AUC ↑  avg drop % ↓  increase % ↑  empty maps',
        'gradcam            0.2000           0.8000          12.3           5.0           1',
        'gradcam++          0.2500           0.7500          12.3           5.0           1',
        'random             0.5000           0.5000          12.3           5.0           -',
        '',
        "sanity check (Adebayo et al. 2018): Spearman ρ between each map and the trained model's map after randomizing the layers from the top down (cumulative), mean over 20 images",
        'method     logits    fc1   conv8',
        'gradcam     0.400  0.100  -0.300',
        'gradcam++   0.900  0.800   0.500',
        '',
      ].join('\n'),
    );
  });

  it('says when the sanity check compared after only some of the steps', () => {
    const sanity = { ...(report.sanity as NonNullable<EvalReport['sanity']>), steps: [1, 5, 11], cascadeLength: 11 };
    expect(formatEvalTable({ ...report, sanity })).toContain(
      'mean over 20 images; compared after 3 of the 11 steps\nmethod     logits    fc1   conv8',
    );
  });
});
