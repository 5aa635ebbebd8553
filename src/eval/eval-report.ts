/**
 * The result of `gradcam eval` as written (`--json`, the report page) and its plain-text table.
 */
import type { MethodScores } from './evaluate.js';
import type { SanityResult } from './sanity.js';

export const EVAL_REPORT_FORMAT = 'gradcam-eval';
export const EVAL_REPORT_VERSION = 3;

export interface EvalReport {
  format: typeof EVAL_REPORT_FORMAT;
  formatVersion: typeof EVAL_REPORT_VERSION;
  toolVersion: string;
  createdAt: string;
  model: string;
  dataset: string;
  backend: string;
  layer: { name: string; shape: [number, number, number] };
  /** Test images evaluated (the first N of the test split). */
  images: number;
  steps: number;
  /** Score-CAM's channels per image (the highest mean activations); null: all of them. */
  maxChannels: number | null;
  seed: number;
  /** Class names: the model's (null when it has none: classes are then named by index) and the dataset's. */
  classes: { model: string[] | null; dataset: string[] };
  /** Fraction of the images predicted as their label's class; null when the classes could not be matched by name. */
  accuracy: number | null;
  /** Why accuracy is null. */
  accuracyUnknown?: string;
  /** How many images the model predicted as each class, most first (ties in class order); classes never predicted are left out. */
  predictions: { class: number; name: string; images: number }[];
  meanProbability: number;
  /** How each perturbation is defined, in words, so the numbers can be reproduced. */
  protocol: {
    target: string;
    deletion: string;
    insertion: string;
    imageTimesMap: string;
    randomBaseline: string;
    sanity: string;
    /** Which defaults were scaled down for the model's input size (default-plan.ts), or 'the full protocol'. */
    defaults: string;
  };
  random: MethodScores;
  methods: MethodScores[];
  sanity: SanityResult | null;
}

/** Predicted classes listed in the table, most often predicted first; --json has them all. */
const TABLE_PREDICTIONS = 10;

/**
 * The report as aligned plain-text tables for stdout: one row per method plus the random
 * baseline, then the sanity-check correlations per cascade step.
 */
export function formatEvalTable(report: EvalReport): string {
  const lines: string[] = [];
  const [h, w, k] = report.layer.shape;
  lines.push(
    `${report.images} ${report.dataset} test images, layer ${report.layer.name} [${h}×${w}×${k}], ${report.steps} steps, seed ${report.seed}; ` +
      `accuracy ${formatAccuracy(report.accuracy)}, mean confidence ${(100 * report.meanProbability).toFixed(1)}%`,
  );
  const shown = report.predictions.slice(0, TABLE_PREDICTIONS).map((entry) => `${entry.name} ${entry.images}`);
  const more = report.predictions.length > TABLE_PREDICTIONS ? `, … (${report.predictions.length} classes in all)` : '';
  lines.push(`predicted: ${shown.join(', ')}${more}`);
  lines.push('');
  const header = ['method', 'deletion AUC ↓', 'insertion AUC ↑', 'avg drop % ↓', 'increase % ↑', 'empty maps'];
  const rows = [...report.methods, report.random].map((scores) => [
    scores.method,
    scores.deletion.auc.toFixed(4),
    scores.insertion.auc.toFixed(4),
    scores.averageDrop.toFixed(1),
    scores.increaseInConfidence.toFixed(1),
    scores.method === report.random.method ? '-' : String(scores.emptyMaps),
  ]);
  lines.push(...alignColumns([header, ...rows]));

  if (report.sanity) {
    const { sanity } = report;
    lines.push('');
    lines.push(
      `sanity check (Adebayo et al. 2018): Spearman ρ between each map and the trained model's map after randomizing ` +
        `the layers from the top down (cumulative), mean over ${sanity.images} images` +
        (sanity.steps.length < sanity.cascadeLength
          ? `; compared after ${sanity.steps.length} of the ${sanity.cascadeLength} steps`
          : ''),
    );
    const sanityRows = sanity.curves.map((curve) => [curve.method, ...curve.correlation.map((rho) => rho.toFixed(3))]);
    lines.push(...alignColumns([['method', ...sanity.layers], ...sanityRows]));
  }
  return `${lines.join('\n')}\n`;
}

/** `95.0%`, or `—` when the accuracy is unknown. */
export function formatAccuracy(accuracy: number | null): string {
  return accuracy === null ? '—' : `${(100 * accuracy).toFixed(1)}%`;
}

/** Left-aligns the first column, right-aligns the others, two spaces apart. */
function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => {
        const pad = ' '.repeat(widths[column] - [...cell].length);
        return column === 0 ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd(),
  );
}
