/**
 * The look of gradcam's self-contained HTML pages (`eval --report`, the training report): one
 * stylesheet, inlined into each page.
 */
export const REPORT_STYLE = `
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.baseline td { color: #555; font-style: italic; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.chart-title { font-size: 13px; font-weight: 600; } .tick, .legend { font-size: 11px; } .axis-label { font-size: 11px; fill: #444; }
.grid { stroke: #eee; } .axis { stroke: #444; }
.examples td { text-align: center; vertical-align: top; font-size: 12px; }
.examples img { image-rendering: pixelated; display: block; }
dt { font-weight: 600; margin-top: 0.5em; } dd { margin-left: 1.5em; }
`;
