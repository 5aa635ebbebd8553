/**
 * The gallery `render` writes beside its PNGs (index.html): one page with every explained image
 * as original | heatmap | blend under its caption, the run's settings, and controls that filter
 * by true class, predicted class, right/wrong and empty maps, and sort. Pure: entries in, HTML out.
 *
 * Images are referenced relatively (the PNGs render has just written), with loading="lazy":
 * inlining 3,000 PNGs as base64 would make a 1,000-entry page a third larger than the images
 * themselves and force the browser to decode all of it before showing the first row; relative
 * lazy images load only as they scroll into view. So the page works where its PNGs are.
 *
 * Every entry is static markup (the page reads without JavaScript); a small inline script hides
 * and reorders entries. It reads values only from data-* attributes and sets only attributes and
 * textContent, so a class name like `<img onerror=…>` stays text. All strings from files are
 * escaped here, and the page's Content-Security-Policy admits this script alone.
 */
import type { CamManifest } from '../cam-output/manifest.js';
import { escapeHtml, htmlDocument } from './html-page.js';
import { captionText, verdictOf, type CaptionFacts, type Verdict } from '../render/caption.js';

export interface GalleryEntry {
  /** The entry's id in cam.json (file-name stem of its PNGs). */
  id: string;
  /** Where the image came from: a path or `mnist test #42`. */
  source: string;
  facts: CaptionFacts;
  /** The map had no positive value (drawn all dark). */
  empty: boolean;
  /** The three pictures: paths relative to the page, '/'-separated (encoded here), and pixel sizes. */
  images: Record<PictureKind, GalleryPicture>;
}

export type PictureKind = 'original' | 'heatmap' | 'blend';

export interface GalleryPicture {
  path: string;
  width: number;
  height: number;
}

export interface GallerySettings {
  /** The model directory the maps came from. */
  model: string;
  layer: { name: string; shape: readonly number[] };
  method: string;
  colormap: string;
  alpha: number;
  /** Where the maps were computed, when known. */
  backend?: string;
  createdAt?: string;
  toolVersion?: string;
  /** Other settings worth stating (SmoothGrad, counterfactual…), name → value, shown as given. */
  extra?: Record<string, string>;
}

/**
 * How much to enlarge or shrink an entry's pictures on the page, from its original's size: tiny
 * inputs (28×28) by a whole factor to at least 96 px, large ones down to 160 px, so two or three
 * entries fit side by side on a laptop screen (the PNGs keep their full size: open one to zoom).
 */
export function displayFactor(width: number, height: number): number {
  const shorter = Math.min(width, height);
  const longer = Math.max(width, height);
  return shorter < 96 ? Math.min(Math.ceil(96 / shorter), 160 / longer) : Math.min(1, 160 / longer);
}

/** A relative '/'-separated path as a URL: each segment percent-encoded, so `#`, `?` and spaces stay part of the name. */
export function relativeUrl(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

const STYLE = `
body { max-width: none; }
#settings dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; }
#settings dt, #settings dd { margin: 0; }
#controls { position: sticky; top: 0; background: #fff; padding: 0.5em 0; border-bottom: 1px solid #ccc; z-index: 1;
  display: flex; flex-wrap: wrap; gap: 0.5em 1.2em; align-items: center; }
#controls label { font-size: 0.9em; }
#count { font-weight: 600; }
#entries { display: flex; flex-wrap: wrap; gap: 1em; margin-top: 1em; }
.entry { border: 1px solid #ccc; border-radius: 4px; padding: 0.4em; background: #fafafa; }
.entry[hidden] { display: none; }
.entry.wrong { border: 2px solid #c62828; }
.caption { margin: 0 0 0.3em; font-size: 0.85em; line-height: 1.3; }
.verdict-wrong { color: #fff; background: #c62828; font-weight: 700; padding: 0 0.3em; border-radius: 2px; }
.verdict-right { color: #1b5e20; font-weight: 700; }
.empty-mark { color: #555; background: #e0e0e0; padding: 0 0.3em; border-radius: 2px; }
.source { margin: 0 0 0.3em; font-size: 0.75em; color: #666; max-width: 45em; overflow-wrap: anywhere; }
.tiles { display: flex; gap: 4px; }
figure { margin: 0; text-align: center; font-size: 0.7em; color: #555; }
figure img { display: block; image-rendering: pixelated; background: #eee; }
#failures li { font-family: monospace; }
`;

/*
 * The page's behaviour. Plain ES2017 without template literals (the page must not depend on
 * anything). Entries carry data-order, data-label, data-predicted, data-verdict, data-empty and
 * data-probability; the controls are selects with ids filter-label, filter-predicted,
 * filter-verdict, filter-empty and sort.
 */
const SCRIPT = `(function () {
  'use strict';
  var list = document.getElementById('entries');
  var entries = Array.prototype.slice.call(list.querySelectorAll('.entry'));
  var count = document.getElementById('count');
  var controls = ['filter-label', 'filter-predicted', 'filter-verdict', 'filter-empty', 'sort'].map(function (id) {
    return document.getElementById(id);
  });
  function value(id) {
    var element = document.getElementById(id);
    return element ? element.value : '';
  }
  function compareText(a, b) {
    return a.localeCompare(b, 'en', { numeric: true });
  }
  var orders = {
    input: function () { return 0; },
    'probability-desc': function (a, b) { return Number(b.dataset.probability) - Number(a.dataset.probability); },
    'probability-asc': function (a, b) { return Number(a.dataset.probability) - Number(b.dataset.probability); },
    label: function (a, b) { return compareText(a.dataset.label || '', b.dataset.label || ''); },
    predicted: function (a, b) { return compareText(a.dataset.predicted, b.dataset.predicted); }
  };
  function update() {
    var label = value('filter-label');
    var predicted = value('filter-predicted');
    var verdict = value('filter-verdict');
    var empty = value('filter-empty');
    var shown = 0;
    entries.forEach(function (entry) {
      var visible =
        (label === '' || entry.dataset.label === label) &&
        (predicted === '' || entry.dataset.predicted === predicted) &&
        (verdict === '' || entry.dataset.verdict === verdict) &&
        (empty === '' || entry.dataset.empty === empty);
      entry.hidden = !visible;
      if (visible) shown++;
    });
    var order = orders[value('sort')] || orders.input;
    var sorted = entries.slice().sort(function (a, b) {
      return order(a, b) || Number(a.dataset.order) - Number(b.dataset.order);
    });
    var fragment = document.createDocumentFragment();
    sorted.forEach(function (entry) { fragment.appendChild(entry); });
    list.appendChild(fragment);
    count.textContent = shown + ' of ' + entries.length + ' shown';
  }
  controls.forEach(function (control) {
    if (control) control.addEventListener('change', update);
  });
  update();
})();
`;

/**
 * @param entries in input order (the "input order" sort); any number, 1,000 is fine
 * @param failures entries that could not be rendered, listed at the end
 * @returns the page as a string (UTF-8 text)
 */
export function renderGalleryHtml(
  settings: GallerySettings,
  entries: readonly GalleryEntry[],
  failures: readonly { id: string; error: string }[] = [],
): string {
  const title = `gradcam gallery: ${entries.length} map${entries.length === 1 ? '' : 's'} (${settings.method})`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    settingsSection(settings),
    controlsSection(entries),
    `<main id="entries">\n${entries.map(entryMarkup).join('\n')}\n</main>`,
    failuresSection(failures),
  ].join('\n');
  return htmlDocument({ title, style: STYLE, body, script: SCRIPT });
}

function settingsSection(settings: GallerySettings): string {
  const rows: [string, string][] = [
    ['model', settings.model],
    ['layer', `${settings.layer.name} [${settings.layer.shape.join('×')}]`],
    ['method', settings.method],
    ['colormap', `${settings.colormap}, blend alpha ${settings.alpha}`],
    ...Object.entries(settings.extra ?? {}),
    ...(settings.backend ? [['backend', settings.backend] as [string, string]] : []),
    ...(settings.createdAt
      ? [
          [
            'maps computed',
            `${settings.createdAt}${settings.toolVersion ? ` by gradcam ${settings.toolVersion}` : ''}`,
          ] as [string, string],
        ]
      : []),
  ];
  return `<section id="settings">\n<dl>\n${rows.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join('\n')}\n</dl>\n</section>`;
}

function controlsSection(entries: readonly GalleryEntry[]): string {
  const labels = sortedUnique(entries.flatMap((entry) => (entry.facts.label === undefined ? [] : [entry.facts.label])));
  const predicted = sortedUnique(entries.map((entry) => entry.facts.predicted.name));
  const verdicts = new Set(entries.map((entry) => verdictOf(entry.facts)));
  const select = (id: string, text: string, options: [string, string][]) =>
    `<label>${escapeHtml(text)} <select id="${id}">${options.map(([value, name]) => `<option value="${escapeHtml(value)}">${escapeHtml(name)}</option>`).join('')}</select></label>`;
  const classOptions = (names: string[]): [string, string][] => [
    ['', 'all'],
    ...names.map((name): [string, string] => [name, name]),
  ];
  const verdictOptions: [string, string][] = [['', 'all']];
  for (const [verdict, name] of [
    ['right', 'right'],
    ['wrong', 'wrong'],
    ['unknown', 'no label'],
  ] as const) {
    if (verdicts.has(verdict)) verdictOptions.push([verdict, name]);
  }
  return [
    '<form id="controls">',
    // Without labels there is nothing to filter by truth: the control would only offer "all".
    ...(labels.length > 0 ? [select('filter-label', 'true class', classOptions(labels))] : []),
    select('filter-predicted', 'predicted', classOptions(predicted)),
    ...(labels.length > 0 ? [select('filter-verdict', 'prediction', verdictOptions)] : []),
    select('filter-empty', 'maps', [
      ['', 'all'],
      ['yes', 'empty only'],
      ['no', 'non-empty only'],
    ]),
    select('sort', 'sort by', [
      ['input', 'input order'],
      ['probability-desc', 'probability, highest first'],
      ['probability-asc', 'probability, lowest first'],
      ...(labels.length > 0 ? [['label', 'true class'] as [string, string]] : []),
      ['predicted', 'predicted class'],
    ]),
    `<output id="count">${entries.length} of ${entries.length} shown</output>`,
    '</form>',
  ].join('\n');
}

function entryMarkup(entry: GalleryEntry, order: number): string {
  const verdict: Verdict = verdictOf(entry.facts);
  const [first, second] = captionText(entry.facts);
  // The caption's words, with the verdict styled rather than spelled in capitals.
  const said = verdict === 'wrong' ? first.replace(/^WRONG /, '') : first;
  const mark =
    verdict === 'wrong'
      ? '<span class="verdict-wrong">wrong</span> '
      : verdict === 'right'
        ? '<span class="verdict-right">right</span> '
        : '';
  const emptyMark = entry.empty ? ' <span class="empty-mark">empty map</span>' : '';
  // Width and height are given so the page's layout is final before any lazy image arrives.
  const factor = displayFactor(entry.images.original.width, entry.images.original.height);
  const alt = `${first}; ${second}`;
  const tile = (kind: PictureKind) => {
    const picture = entry.images[kind];
    const width = Math.max(1, Math.round(picture.width * factor));
    const height = Math.max(1, Math.round(picture.height * factor));
    const src = escapeHtml(relativeUrl(picture.path));
    return `<figure><img src="${src}" loading="lazy" width="${width}" height="${height}" alt="${escapeHtml(`${kind}: ${alt}`)}"><figcaption>${kind}</figcaption></figure>`;
  };
  const attributes = [
    `class="entry ${verdict}"`,
    `id="entry-${escapeHtml(entry.id)}"`,
    `data-order="${order}"`,
    ...(entry.facts.label === undefined ? [] : [`data-label="${escapeHtml(entry.facts.label)}"`]),
    `data-predicted="${escapeHtml(entry.facts.predicted.name)}"`,
    `data-verdict="${verdict}"`,
    `data-empty="${entry.empty ? 'yes' : 'no'}"`,
    `data-probability="${entry.facts.predicted.probability}"`,
  ];
  return [
    `<article ${attributes.join(' ')}>`,
    `<p class="caption">${mark}${escapeHtml(said)}<br>${escapeHtml(second)}${emptyMark}</p>`,
    `<p class="source">${escapeHtml(entry.id)} · ${escapeHtml(entry.source)}</p>`,
    `<div class="tiles">${tile('original')}${tile('heatmap')}${tile('blend')}</div>`,
    '</article>',
  ].join('\n');
}

function failuresSection(failures: readonly { id: string; error: string }[]): string {
  if (failures.length === 0) return '';
  const items = failures.map((failure) => `<li>${escapeHtml(failure.id)}: ${escapeHtml(failure.error)}</li>`);
  return `<section id="failures">\n<h2>Not rendered (${failures.length})</h2>\n<ul>\n${items.join('\n')}\n</ul>\n</section>`;
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The settings block of a gallery from the cam run's manifest and render's own drawing settings. */
export function gallerySettingsOf(
  manifest: CamManifest,
  drawing: { colormap: string; alpha: number },
): GallerySettings {
  const extra: Record<string, string> = {};
  if (manifest.counterfactual) extra.counterfactual = 'yes: maps show evidence against the class';
  if (manifest.smooth)
    extra.SmoothGrad = `${manifest.smooth.samples} samples, noise ${manifest.smooth.noise}, seed ${manifest.smooth.seed}`;
  if (manifest.guided) extra['Guided Grad-CAM'] = 'yes (guided_<id>.png beside the blends)';
  if (manifest.maxChannels !== undefined) extra['Score-CAM channels'] = `at most ${manifest.maxChannels}`;
  if (manifest.shard) extra.shard = manifest.shard;
  return {
    model: String(manifest.model),
    layer: {
      name: String(manifest.layer?.name),
      shape: Array.isArray(manifest.layer?.shape) ? manifest.layer.shape : [],
    },
    method: String(manifest.method),
    colormap: drawing.colormap,
    alpha: drawing.alpha,
    ...(typeof manifest.backend === 'string' ? { backend: manifest.backend } : {}),
    ...(typeof manifest.createdAt === 'string' ? { createdAt: manifest.createdAt } : {}),
    ...(typeof manifest.toolVersion === 'string' ? { toolVersion: manifest.toolVersion } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}
