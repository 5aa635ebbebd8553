import { describe, expect, it } from 'vitest';
import { sortFolderContents } from '../../src/cam-output/earlier-run.js';
import { buildRenderManifest } from '../../src/cam-output/render-manifest.js';

const camManifest = JSON.stringify({
  format: 'gradcam-cam',
  formatVersion: 1,
  entries: [{ id: 'a', input: 'a.input.png', heatmap: 'a.npy' }],
  failures: [],
});

describe('sortFolderContents', () => {
  it("a render.json's files are gradcam's; the gallery only when it lists it", () => {
    const record = JSON.stringify(buildRenderManifest({ cam: '/maps' }, ['blend_a.png', 'original_a.png']));
    const names = ['blend_a.png', 'index.html', 'notes.txt', 'original_a.png', 'render.json'];
    expect(sortFolderContents(names, new Map([['render.json', record]]))).toEqual({
      written: ['blend_a.png', 'original_a.png', 'render.json'],
      other: ['index.html', 'notes.txt'],
      manifests: ['render.json'],
    });
  });

  it('a cam folder that render also wrote a render.json into: both lists count', () => {
    const record = JSON.stringify(buildRenderManifest({ cam: '/other' }, ['grid.png']));
    const names = ['a.input.png', 'a.npy', 'blend_a.png', 'cam.json', 'grid.png', 'index.html', 'render.json'];
    const contents = sortFolderContents(
      names,
      new Map([
        ['cam.json', camManifest],
        ['render.json', record],
      ]),
    );
    expect(contents.written).toEqual(names);
    expect(contents.other).toEqual([]);
    expect(contents.manifests).toEqual(['cam.json', 'render.json']);
  });

  it("an unreadable render.json is still gradcam's own file, listing nothing", () => {
    expect(sortFolderContents(['blend_a.png', 'render.json'], new Map([['render.json', '{']]))).toEqual({
      written: ['render.json'],
      other: ['blend_a.png'],
      manifests: ['render.json'],
    });
  });
});
