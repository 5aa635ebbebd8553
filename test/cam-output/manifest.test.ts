import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkManifestEntry } from '../../src/cam-output/manifest.js';

const ENTRY = {
  id: 'test_00000',
  source: 'mnist test #0',
  input: 'test_00000.input.png',
  heatmap: 'test_00000.npy',
  predicted: { index: 7, name: '7', probability: 0.99 },
  target: { index: 7, name: '7', logit: 9.5 },
  rawMax: 0.3,
  empty: false,
};

function messageOf(entry: unknown): string {
  try {
    checkManifestEntry(entry, 4, 'cam/cam.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('checkManifestEntry', () => {
  it('reads entries without a true label (every cam.json written before labels were recorded)', () => {
    expect(checkManifestEntry(ENTRY, 0, 'cam.json')).toEqual(ENTRY);
    expect(checkManifestEntry(ENTRY, 0, 'cam.json').label).toBeUndefined();
  });

  it('reads the true label', () => {
    const labelled = { ...ENTRY, label: { index: 1, name: '1' } };
    expect(checkManifestEntry(labelled, 0, 'cam.json').label).toEqual({ index: 1, name: '1' });
  });

  it('names the entry and the field when predicted, target or label is malformed', () => {
    expect(messageOf({ ...ENTRY, predicted: { index: 7, name: '7', probability: 1.5 } })).toBe(
      'cam/cam.json: entry 4 (id "test_00000"): "predicted" must be {"index": class index, "name": text, "probability": 0 to 1}',
    );
    expect(messageOf({ ...ENTRY, predicted: undefined })).toMatch(/"predicted" must be/);
    expect(messageOf({ ...ENTRY, target: { index: -1, name: '7', logit: 1 } })).toMatch(/entry 4 .*"target" must be/);
    expect(messageOf({ ...ENTRY, target: { index: 7, name: '7' } })).toMatch(/"target" must be/);
    expect(messageOf({ ...ENTRY, label: { index: 1.5, name: '1' } })).toMatch(
      /"label" must be \{"index": class index, "name": text\}/,
    );
    expect(messageOf({ ...ENTRY, label: { index: 1, name: 1 } })).toMatch(/"label" must be/);
  });
});
