import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CamManifest } from '../../src/cam-output/manifest.js';
import {
  displayFactor,
  gallerySettingsOf,
  relativeUrl,
  renderGalleryHtml,
  type GalleryEntry,
  type GallerySettings,
} from '../../src/report/gallery-html.js';
import { checkNesting } from '../helpers/html.js';

const SETTINGS: GallerySettings = {
  model: '/models/mnist',
  layer: { name: 'conv8', shape: [7, 7, 64] },
  method: 'gradcam',
  colormap: 'jet',
  alpha: 0.4,
  backend: 'wasm',
  createdAt: '2026-12-02T10:00:00.000Z',
  toolVersion: '0.1.0',
};

function entry(
  id: string,
  label: string | undefined,
  predicted: string,
  probability: number,
  empty = false,
): GalleryEntry {
  return {
    id,
    source: `${id}.png`,
    facts: {
      ...(label === undefined ? {} : { label, correct: label === predicted }),
      predicted: { name: predicted, probability },
      target: { name: predicted },
      method: 'gradcam',
    },
    empty,
    images: {
      original: { path: `original_${id}.png`, width: 28, height: 28 },
      heatmap: { path: `heatmap_${id}.png`, width: 28, height: 28 },
      blend: { path: `blend_${id}.png`, width: 28, height: 28 },
    },
  };
}

const ENTRIES = [entry('a', 'cat', 'cat', 0.9), entry('b', 'cat', 'dog', 0.6), entry('c', 'dog', 'dog', 0.7, true)];

describe('renderGalleryHtml', () => {
  const html = renderGalleryHtml(SETTINGS, ENTRIES, [{ id: 'd', error: 'd.npy: missing' }]);

  it('is one well-formed document: settings, controls, one article per entry, failures', () => {
    const names = checkNesting(html);
    expect(names.filter((name) => name === 'article')).toHaveLength(3);
    expect(names.filter((name) => name === 'img')).toHaveLength(9);
    expect(names.filter((name) => name === 'script')).toHaveLength(1);
    expect(html).toContain('<dt>layer</dt><dd>conv8 [7×7×64]</dd>');
    expect(html).toContain('<dt>method</dt><dd>gradcam</dd>');
    expect(html).toContain('<dt>model</dt><dd>/models/mnist</dd>');
    expect(html).toContain('<output id="count">3 of 3 shown</output>');
    expect(html).toContain('<li>d: d.npy: missing</li>');
  });

  it('gives each entry its caption, filter attributes and three lazy relative images', () => {
    const wrong = html.slice(
      html.indexOf('<article class="entry wrong"'),
      html.indexOf('</article>', html.indexOf('entry wrong')),
    );
    expect(wrong).toContain(
      'data-label="cat" data-predicted="dog" data-verdict="wrong" data-empty="no" data-probability="0.6"',
    );
    expect(wrong).toContain(
      '<p class="caption"><span class="verdict-wrong">wrong</span> true cat, predicted dog 60.0%<br>map: dog, gradcam</p>',
    );
    expect(wrong).toContain(
      '<img src="blend_b.png" loading="lazy" width="112" height="112" alt="blend: WRONG true cat, predicted dog 60.0%; map: dog, gradcam">',
    );
    expect(html).toMatch(/data-order="2" data-label="dog" data-predicted="dog" data-verdict="right" data-empty="yes"/);
    expect(html).toContain('<span class="empty-mark">empty map</span>');
  });

  it('offers the classes that occur as filter options, and no truth filters without labels', () => {
    expect(html).toContain(
      '<select id="filter-label"><option value="">all</option><option value="cat">cat</option><option value="dog">dog</option></select>',
    );
    expect(html).toContain(
      '<select id="filter-verdict"><option value="">all</option><option value="right">right</option><option value="wrong">wrong</option></select>',
    );
    const unlabelled = renderGalleryHtml(SETTINGS, [entry('x', undefined, '7', 0.5)]);
    expect(unlabelled).not.toContain('id="filter-label"');
    expect(unlabelled).not.toContain('id="filter-verdict"');
    expect(unlabelled).not.toContain('value="label"');
    expect(unlabelled).toContain(
      '<select id="filter-predicted"><option value="">all</option><option value="7">7</option></select>',
    );
  });

  it('loads nothing from elsewhere and allows exactly its own script', () => {
    expect(html).not.toMatch(/https?:|src="\/\/|<link|@import|url\(/i);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(script, 'utf8').digest('base64');
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes every string from files: class names, ids, sources, paths, settings, errors', () => {
    const evil = '<img src=x onerror="alert(1)">';
    const hostile: GalleryEntry = {
      ...entry('e', evil, `"><script>alert(2)</script>`, 0.5),
      id: `e"'<b>`,
      source: `</p><script>alert(3)</script>`,
      images: {
        original: { path: `dir "x"/a#b?.png`, width: 1, height: 1 },
        heatmap: { path: 'h.png', width: 1, height: 1 },
        blend: { path: 'b.png', width: 1, height: 1 },
      },
    };
    hostile.facts.target.name = `</figcaption><iframe>`;
    const page = renderGalleryHtml(
      { ...SETTINGS, model: '<svg onload=alert(4)>', layer: { name: '<u>', shape: [1] }, extra: { '<k>': '<v>' } },
      [hostile],
      [{ id: '<i>', error: '<e>' }],
    );
    for (const raw of [evil, '<script>alert', '<iframe>', '<svg', '<u>', '<b>', '<k>', '<v>', '<i>', '<e>'])
      expect(page).not.toContain(raw);
    expect(page.match(/<script>/g)).toHaveLength(1);
    expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(page).toContain('src="dir%20%22x%22/a%23b%3F.png"');
    expect(page).toContain('id="entry-e&quot;&#39;&lt;b&gt;"');
    checkNesting(page);
  });
});

describe('displayFactor and relativeUrl', () => {
  it('enlarges tiny pictures by a whole factor to at least 96 px and shrinks large ones to 160 px', () => {
    expect(displayFactor(28, 28)).toBe(4);
    expect(displayFactor(32, 32)).toBe(3);
    expect(displayFactor(100, 150)).toBe(1);
    expect(displayFactor(320, 160)).toBe(0.5);
    expect(displayFactor(60, 400)).toBe(0.4); // the 160 px cap wins over enlarging
  });

  it('sizes every picture of an entry by its original, so a captioned blend keeps its shape', () => {
    const captioned = entry('t', 'cat', 'cat', 0.9);
    captioned.images.blend = { path: 'blend_t.png', width: 28, height: 52 };
    const page = renderGalleryHtml(SETTINGS, [captioned]);
    expect(page).toContain('<img src="original_t.png" loading="lazy" width="112" height="112"');
    expect(page).toContain('<img src="blend_t.png" loading="lazy" width="112" height="208"');
  });

  it('percent-encodes each path segment', () => {
    expect(relativeUrl('../out dir/blend_a#1.png')).toBe('../out%20dir/blend_a%231.png');
  });
});

describe('gallerySettingsOf', () => {
  it('states the run: model, layer, method, drawing, and the optional settings that change the maps', () => {
    const manifest: CamManifest = {
      format: 'gradcam-cam',
      formatVersion: 1,
      toolVersion: '0.1.0',
      createdAt: '2026-12-02T10:00:00.000Z',
      model: '/m',
      layer: { name: 'conv8', shape: [7, 7, 64] },
      method: 'gradcam',
      smooth: { samples: 8, noise: 0.1, seed: 3 },
      counterfactual: true,
      backend: 'wasm (2 threads)',
      entries: [],
      failures: [],
    };
    expect(gallerySettingsOf(manifest, { colormap: 'viridis', alpha: 0.5 })).toEqual({
      model: '/m',
      layer: { name: 'conv8', shape: [7, 7, 64] },
      method: 'gradcam',
      colormap: 'viridis',
      alpha: 0.5,
      backend: 'wasm (2 threads)',
      createdAt: '2026-12-02T10:00:00.000Z',
      toolVersion: '0.1.0',
      extra: {
        counterfactual: 'yes: maps show evidence against the class',
        SmoothGrad: '8 samples, noise 0.1, seed 3',
      },
    });
  });
});
