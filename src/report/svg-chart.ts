/**
 * Minimal line charts as inline SVG text, for the self-contained report page (no scripts, no
 * external assets). Pure string building.
 */
import { escapeHtml } from './html-page.js';

export interface ChartSeries {
  name: string;
  /** y values, one per x position. */
  values: readonly number[];
  /** Any CSS color. */
  color: string;
  dashed?: boolean;
  /** A dot at every point: a series of one point (a one-epoch run) has no line to draw. */
  markers?: boolean;
}

export interface LineChart {
  title: string;
  /** x positions: a numeric range the points spread evenly over, or one label per point. */
  x: { range: [number, number]; label: string } | { labels: readonly string[]; label: string };
  /** `step`: distance between y ticks (default: a fifth of the range). */
  y: { range: [number, number]; label: string; step?: number };
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
}

/** CSS for the charts' classes (and `.charts`, a row of them), for the pages that show them. */
export const CHART_STYLE = `
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.chart-title { font-size: 13px; font-weight: 600; } .tick, .legend { font-size: 11px; } .axis-label { font-size: 11px; fill: #444; }
.grid { stroke: #eee; } .axis { stroke: #444; }
`;

const MARGIN = { left: 48, right: 24, top: 34, bottom: 58 };
const LEGEND_LINE = 15;

/** Where things go in one chart: its size, the plot area, and data → pixel coordinates. */
interface ChartFrame {
  width: number;
  /** Height of the axes part, legend excluded. */
  plotAreaHeight: number;
  plotWidth: number;
  plotHeight: number;
  /** y of the x axis. */
  xAxisY: number;
  xAt(index: number): number;
  yAt(value: number): number;
}

/**
 * An `<svg>` element: axes with ticks, one polyline per series, and a legend below the axes.
 * `height` is the height of the axes part; the legend adds 15 px per series.
 *
 * @returns SVG markup; values outside the y range are clamped to the plot area.
 */
export function lineChartSvg(chart: LineChart): string {
  const frame = chartFrame(chart);
  // The legend goes below the axes, where it can never hide a curve.
  const height = frame.plotAreaHeight + LEGEND_LINE * chart.series.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${height}" viewBox="0 0 ${frame.width} ${height}" role="img" aria-label="${escapeHtml(chart.title)}">`,
    `<text x="${frame.width / 2}" y="16" text-anchor="middle" class="chart-title">${escapeHtml(chart.title)}</text>`,
    ...yTicks(chart, frame),
    ...xTicks(chart, frame),
    ...axes(chart, frame),
    ...chart.series.flatMap((series) => seriesLines(series, frame)),
    ...chart.series.flatMap((series, index) => legendEntry(series, index, frame)),
    '</svg>',
  ].join('\n');
}

function chartFrame(chart: LineChart): ChartFrame {
  const width = chart.width ?? 380;
  const plotAreaHeight = chart.height ?? 260;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = plotAreaHeight - MARGIN.top - MARGIN.bottom;
  const [yMin, yMax] = chart.y.range;
  const points = Math.max(...chart.series.map((series) => series.values.length), 2);
  return {
    width,
    plotAreaHeight,
    plotWidth,
    plotHeight,
    xAxisY: MARGIN.top + plotHeight,
    xAt: (index) => MARGIN.left + (plotWidth * index) / (points - 1),
    yAt: (value) => {
      const clamped = Math.min(yMax, Math.max(yMin, value));
      return MARGIN.top + plotHeight * (1 - (clamped - yMin) / (yMax - yMin));
    },
  };
}

/** A grid line and a label per y tick. */
function yTicks(chart: LineChart, frame: ChartFrame): string[] {
  const [yMin, yMax] = chart.y.range;
  const yStep = chart.y.step ?? (yMax - yMin) / 5;
  const parts: string[] = [];
  for (let t = 0; t <= Math.round((yMax - yMin) / yStep); t++) {
    const value = yMin + yStep * t;
    const y = frame.yAt(value).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${frame.width - MARGIN.right}" y2="${y}" class="grid"/>`);
    parts.push(
      `<text x="${MARGIN.left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${formatTick(value)}</text>`,
    );
  }
  return parts;
}

/** x ticks: a numeric range in 5 intervals, or every label (rotated, as there may be many). */
function xTicks(chart: LineChart, frame: ChartFrame): string[] {
  const { xAxisY } = frame;
  if ('range' in chart.x) {
    const [xMin, xMax] = chart.x.range;
    return Array.from({ length: 6 }, (_, t) => {
      const x = (MARGIN.left + (frame.plotWidth * t) / 5).toFixed(1);
      return `<text x="${x}" y="${xAxisY + 14}" text-anchor="middle" class="tick">${formatTick(xMin + ((xMax - xMin) * t) / 5)}</text>`;
    });
  }
  return chart.x.labels.map((label, index) => {
    const x = frame.xAt(index).toFixed(1);
    return `<text x="${x}" y="${xAxisY + 10}" text-anchor="end" transform="rotate(-45 ${x} ${xAxisY + 10})" class="tick">${escapeHtml(label)}</text>`;
  });
}

/** The two axis lines and their labels. */
function axes(chart: LineChart, frame: ChartFrame): string[] {
  const { xAxisY, plotHeight } = frame;
  return [
    `<line x1="${MARGIN.left}" y1="${xAxisY}" x2="${frame.width - MARGIN.right}" y2="${xAxisY}" class="axis"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${xAxisY}" class="axis"/>`,
    `<text x="${MARGIN.left + frame.plotWidth / 2}" y="${frame.plotAreaHeight - 4}" text-anchor="middle" class="axis-label">${escapeHtml(chart.x.label)}</text>`,
    `<text x="12" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 12 ${MARGIN.top + plotHeight / 2})" class="axis-label">${escapeHtml(chart.y.label)}</text>`,
  ];
}

/** The series' polyline, and a dot per point with `markers`. */
function seriesLines(series: ChartSeries, frame: ChartFrame): string[] {
  const { xAt, yAt } = frame;
  const coordinates = series.values
    .map((value, index) => `${xAt(index).toFixed(1)},${yAt(value).toFixed(1)}`)
    .join(' ');
  const dash = series.dashed ? ' stroke-dasharray="5 3"' : '';
  const line = `<polyline points="${coordinates}" fill="none" stroke="${escapeHtml(series.color)}" stroke-width="2"${dash}><title>${escapeHtml(series.name)}</title></polyline>`;
  if (!series.markers) return [line];
  const markers = series.values.map(
    (value, index) =>
      `<circle cx="${xAt(index).toFixed(1)}" cy="${yAt(value).toFixed(1)}" r="3" fill="${escapeHtml(series.color)}"><title>${escapeHtml(`${series.name}: ${formatValue(value)}`)}</title></circle>`,
  );
  return [line, ...markers];
}

/** Row `index` of the legend below the axes: a line sample and the series' name. */
function legendEntry(series: ChartSeries, index: number, frame: ChartFrame): string[] {
  const x = MARGIN.left;
  const y = frame.plotAreaHeight + LEGEND_LINE * index + LEGEND_LINE / 2;
  const dash = series.dashed ? ' stroke-dasharray="5 3"' : '';
  return [
    `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${escapeHtml(series.color)}" stroke-width="2"${dash}/>`,
    `<text x="${x + 22}" y="${y}" dominant-baseline="middle" class="legend">${escapeHtml(series.name)}</text>`,
  ];
}

/** A data value for a tooltip: 4 significant digits. */
function formatValue(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

function formatTick(value: number): string {
  return Number(value.toFixed(2)).toString();
}
