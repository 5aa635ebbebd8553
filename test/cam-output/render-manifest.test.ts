import { describe, expect, it } from 'vitest';
import {
  buildRenderManifest,
  parseRenderManifest,
  RENDER_MANIFEST_FILE,
  sameRenderSource,
} from '../../src/cam-output/render-manifest.js';
import { InputError } from '../../src/errors.js';

describe('render.json', () => {
  it('lists each file once, sorted, without itself', () => {
    const manifest = buildRenderManifest({ cam: '/maps', camCreatedAt: 't1' }, [
      'original_a.png',
      'blend_a.png',
      RENDER_MANIFEST_FILE,
      'blend_a.png',
      'index.html',
    ]);
    expect(manifest).toMatchObject({
      format: 'gradcam-render',
      formatVersion: 1,
      source: { cam: '/maps', camCreatedAt: 't1' },
      files: ['blend_a.png', 'index.html', 'original_a.png'],
    });
    expect(parseRenderManifest(JSON.stringify(manifest), 'r.json')).toEqual(manifest);
  });

  it('reads back only plain file names: a record cannot point outside its folder', () => {
    const text = JSON.stringify({
      ...buildRenderManifest({ heatmap: '/m.npy', image: '/i.png' }, []),
      files: ['blend_a.png', '../x', '/etc/passwd', 'a/b', '.', '', 7, null, RENDER_MANIFEST_FILE],
    });
    expect(parseRenderManifest(text, 'r.json').files).toEqual(['blend_a.png']);
  });

  it.each([
    ['not JSON', '{', 'r.json: not valid JSON; expected a render.json written by gradcam render'],
    [
      'a cam.json',
      JSON.stringify({ format: 'gradcam-cam', formatVersion: 1 }),
      'r.json: expected "format": "gradcam-render"',
    ],
    [
      'a later version',
      JSON.stringify({ format: 'gradcam-render', formatVersion: 2 }),
      'r.json: unsupported formatVersion 2 (this gradcam reads 1)',
    ],
    [
      'no source',
      JSON.stringify({ format: 'gradcam-render', formatVersion: 1, files: [] }),
      'r.json: "source" must name a cam folder or a map',
    ],
    [
      'no files',
      JSON.stringify({ format: 'gradcam-render', formatVersion: 1, source: { cam: '/c' } }),
      'r.json: "files" must be an array',
    ],
  ])('refuses %s with an InputError naming the file', (_, text, message) => {
    expect(() => parseRenderManifest(text, 'r.json')).toThrow(InputError);
    expect(() => parseRenderManifest(text, 'r.json')).toThrow(message);
  });

  it('the same run: the same cam folder and cam.json, or the same map and image', () => {
    expect(sameRenderSource({ cam: '/a', camCreatedAt: 't1' }, { cam: '/a', camCreatedAt: 't1' })).toBe(true);
    expect(sameRenderSource({ cam: '/a', camCreatedAt: 't1' }, { cam: '/a', camCreatedAt: 't2' })).toBe(false);
    expect(sameRenderSource({ cam: '/a' }, { cam: '/b' })).toBe(false);
    expect(sameRenderSource({ heatmap: '/m', image: '/i' }, { heatmap: '/m', image: '/i' })).toBe(true);
    expect(sameRenderSource({ heatmap: '/m', image: '/i' }, { heatmap: '/m', image: '/j' })).toBe(false);
    expect(sameRenderSource({ cam: '/m' }, { heatmap: '/m', image: '/i' })).toBe(false);
  });
});
