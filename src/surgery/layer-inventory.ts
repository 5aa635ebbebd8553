/**
 * What `gradcam inspect` reports about a model directory: every layer (or graph node) in order
 * with its output shape, which of them Grad-CAM can explain, the layer it explains by default,
 * and what is known about the input (size, channels, preprocessing) and the classes. Built from a
 * plain description of the model (no TensorFlow.js), so layers and graph models report alike.
 */
import { articulationNodes, hasSpatialOutput, type GraphNode, type ModelGraph } from './default-target.js';
import { escapeControlCharacters } from '../errors.js';
import type { DeclaredInput } from '../models/input-size.js';

export const INSPECT_FORMAT = 'gradcam-inspect';
export const INSPECT_VERSION = 1;

export interface InspectNode extends GraphNode {
  /** Layer class (`Conv2D`) or graph op (`_FusedConv2D`, ONNX `Conv`). */
  type: string;
  /** ONNX models: the PyTorch module the node comes from (`layer4.1.conv1`), from its name. */
  module?: string;
}

/** A loaded model, described without TensorFlow.js. */
export interface ModelDescription {
  /** The model directory as an absolute path. */
  model: string;
  modelFormat: 'layers-model' | 'graph-model' | 'onnx';
  graph: Omit<ModelGraph, 'nodes'> & { nodes: InspectNode[] };
  /** The nodes `cam --layer` accepts (for a layers model: `explainableNodes(graph)`). */
  explainable: ReadonlySet<string>;
  /** The node the default-target rule picks (default-target.ts), as cam would; undefined if none qualifies. */
  defaultTarget: string | undefined;
  input: DeclaredInput;
  classes: number;
  /** From gradcam.json, when the directory has one. */
  metadata?: {
    classNames: string[];
    normalization: { mean: number[]; std: number[] };
    targetLayer: string;
  };
}

export interface InspectLayer {
  name: string;
  type: string;
  /** Without the batch axis; null where the size depends on the image; null if unknown. */
  outputShape: (number | null)[] | null;
  /** A spatial output [h, w, channels] computed from the input, with a path to the output. */
  explainable: boolean;
  /** Every path from the input to the output passes through it (else it sits in one branch). */
  onEveryPath: boolean;
  /** ONNX models: the PyTorch module path read from the node's name ('' when none). */
  module?: string;
}

export interface InspectReport {
  format: typeof INSPECT_FORMAT;
  formatVersion: typeof INSPECT_VERSION;
  model: string;
  modelFormat: 'layers-model' | 'graph-model' | 'onnx';
  /** Whether the directory has a gradcam.json (a model `gradcam train` wrote). */
  gradcamJson: boolean;
  /** null sides: the model accepts any size there. */
  input: { height: number | null; width: number | null; channels: 1 | 3 };
  classes: number;
  /** From gradcam.json; null otherwise. */
  classNames: string[] | null;
  /** From gradcam.json, input = (pixel/255 − mean) / std per channel; null when not stated. */
  preprocessing: { channelOrder: 'rgb'; mean: number[]; std: number[] } | null;
  /** The layer explained when none is named; null when no layer qualifies. */
  defaultTarget: string | null;
  layers: InspectLayer[];
}

export function buildInspectReport(description: ModelDescription): InspectReport {
  const { graph, metadata, explainable } = description;
  const onEveryPath = articulationNodes(graph);
  // gradcam.json's targetLayer wins, as in cam.
  const defaultTarget = metadata?.targetLayer ?? description.defaultTarget ?? null;
  return {
    format: INSPECT_FORMAT,
    formatVersion: INSPECT_VERSION,
    model: description.model,
    modelFormat: description.modelFormat,
    gradcamJson: metadata !== undefined,
    input: {
      height: description.input.height ?? null,
      width: description.input.width ?? null,
      channels: description.input.channels,
    },
    classes: description.classes,
    classNames: metadata ? [...metadata.classNames] : null,
    preprocessing: metadata
      ? { channelOrder: 'rgb', mean: [...metadata.normalization.mean], std: [...metadata.normalization.std] }
      : null,
    defaultTarget,
    layers: graph.nodes.map((node) => ({
      name: node.name,
      type: node.type,
      outputShape: node.outputShape ? node.outputShape.slice(1).map((d) => d ?? null) : null,
      explainable: explainable.has(node.name),
      onEveryPath: onEveryPath.has(node.name),
      ...(node.module !== undefined ? { module: node.module } : {}),
    })),
  };
}

/**
 * Nodes with a spatial output larger than 1×1 (default-target.ts hasSpatialOutput) that are computed from the
 * inputs and that the output depends on: the ones whose activations have a gradient to explain.
 */
export function explainableNodes(graph: ModelGraph): Set<string> {
  const fromInputs = new Set(graph.inputs);
  for (const node of graph.nodes) if (node.inputs.some((input) => fromInputs.has(input))) fromInputs.add(node.name);
  const toOutput = new Set([graph.output]);
  for (const node of [...graph.nodes].reverse())
    if (toOutput.has(node.name)) node.inputs.forEach((input) => toOutput.add(input));
  return new Set(
    graph.nodes
      .filter(
        (node) =>
          fromInputs.has(node.name) &&
          toOutput.has(node.name) &&
          !graph.inputs.includes(node.name) &&
          hasSpatialOutput(node),
      )
      .map((node) => node.name),
  );
}

/**
 * The report as text: a few `key  value` lines, then one aligned line per layer:
 * name, type, output shape (h×w×c, `?` for a size that depends on the image or is unknown), and whether
 * Grad-CAM can explain it (`yes`; `yes, one branch` when other paths bypass it; `default`).
 */
export function formatInspectReport(report: InspectReport): string {
  const { input } = report;
  const size =
    input.width === null && input.height === null
      ? 'any size'
      : `${input.width ?? 'any'}x${input.height ?? 'any'} (width x height)`;
  const summary: [string, string][] = [
    ['model', `${report.model} (${report.modelFormat}${report.gradcamJson ? ', with gradcam.json' : ''})`],
    ['input', `${size}, ${input.channels === 3 ? '3 channels (RGB)' : '1 channel (gray)'}`],
    [
      'classes',
      report.classNames ? `${report.classes}: ${report.classNames.join(', ')}` : `${report.classes} (names not stated)`,
    ],
    ['preprocessing', report.preprocessing ? statedPreprocessing(report.preprocessing) : 'not stated'],
    ['default layer', report.defaultTarget ?? 'none qualifies (no spatial layer that every path passes through)'],
    ['layers', `${report.layers.length}, ${report.layers.filter((layer) => layer.explainable).length} explainable`],
  ];
  const keyWidth = Math.max(...summary.map(([key]) => key.length));
  // Names come from the model file: a newline or terminal escape in one must not break the table.
  // ONNX nodes also name their PyTorch module, the column a PyTorch user looks for.
  const modules = report.layers.some((layer) => layer.module !== undefined);
  const rows = report.layers.map((layer) =>
    [
      layer.name,
      layer.type,
      ...(modules ? [layer.module || '-'] : []),
      formatShape(layer.outputShape),
      explainColumn(layer, report.defaultTarget),
    ].map(escapeControlCharacters),
  );
  const table = alignColumns([['layer', 'type', ...(modules ? ['module'] : []), 'output', 'Grad-CAM'], ...rows]);
  const lines = [
    ...summary.map(([key, value]) => `${key.padEnd(keyWidth)}  ${escapeControlCharacters(value)}`),
    '',
    ...table,
  ];
  return `${lines.join('\n')}\n`;
}

function statedPreprocessing({ mean, std }: { mean: number[]; std: number[] }): string {
  const list = (values: number[]) => values.map((v) => Number(v.toPrecision(4))).join(', ');
  return `(x/255 − [${list(mean)}]) / [${list(std)}] (gradcam.json)`;
}

function formatShape(shape: (number | null)[] | null): string {
  if (shape === null) return '?';
  return shape.length === 0 ? 'scalar' : shape.map((d) => d ?? '?').join('×');
}

function explainColumn(layer: InspectLayer, defaultTarget: string | null): string {
  if (!layer.explainable) return '';
  const parts = ['yes'];
  if (!layer.onEveryPath) parts.push('one branch');
  if (layer.name === defaultTarget) parts.push('default');
  return parts.join(', ');
}

/** Pads every column but the last to its widest cell, two spaces apart; no trailing spaces. */
function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column] - [...cell].length)))
      .join('  ')
      .trimEnd(),
  );
}
