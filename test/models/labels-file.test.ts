import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  MAX_LABELS_BYTES,
  MAX_LABEL_LENGTH,
  checkLabelCount,
  parseLabels,
  readLabels,
} from '../../src/models/labels-file.js';
import { expectInputError } from '../helpers/input-errors.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const parse = (text: string) => parseLabels(utf8(text), 'labels.txt');

/** Expects a one-line InputError naming labels.txt with every fragment. */
function expectRefused(bytes: Uint8Array | string, ...fragments: string[]): void {
  let thrown: unknown;
  try {
    parseLabels(typeof bytes === 'string' ? utf8(bytes) : bytes, 'labels.txt');
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InputError);
  const message = (thrown as Error).message;
  expect(message.startsWith('labels.txt: ')).toBe(true);
  expect(message).not.toMatch(/[\n\r]/);
  for (const fragment of fragments) expect(message).toContain(fragment);
}

describe('parseLabels: one name per line', () => {
  it('reads the nsfwjs classes in order', () => {
    expect(parse('Drawing\nHentai\nNeutral\nPorn\nSexy\n')).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
  });

  it('accepts CRLF, a byte-order mark, no final newline, trailing blank lines and surrounding spaces', () => {
    expect(parse('\ufeffcat\r\n  dog  \r\nbig bird\n\n  \n')).toEqual(['cat', 'dog', 'big bird']);
    expect(parse('cat\ndog')).toEqual(['cat', 'dog']);
  });

  it('keeps non-ASCII names and a single class', () => {
    expect(parse('café\n猫\n🐕\n')).toEqual(['café', '猫', '🐕']);
    expect(parse('only\n')).toEqual(['only']);
  });

  it('refuses an empty file, blank lines only, and a blank line in the middle', () => {
    expectRefused('', 'no class names');
    expectRefused('\n \n\r\n', 'no class names');
    expectRefused('cat\n\ndog\n', 'line 2 is empty');
    expectRefused('cat\n   \ndog\n', 'line 2 is empty');
  });

  it('refuses duplicates, naming both lines', () => {
    expectRefused('cat\ndog\ncat\n', 'line 3 repeats the name of line 1 ("cat")');
    expectRefused('cat\ncat \n', 'line 2 repeats the name of line 1');
  });

  it('refuses control characters, separators and bidi overrides, by code point', () => {
    expectRefused('cat\nd\u0000og\n', 'line 2 contains the control character U+0000');
    expectRefused('cat\tdog\nbird\n', 'line 1 contains the control character U+0009');
    expectRefused('cat\n\u001b[31mred\n', 'line 2', 'U+001B');
    expectRefused('a\u0085b\nc\n', 'U+0085');
    expectRefused('a\u2028b\nc\n', 'U+2028');
    expectRefused('cat\n\u202egod\n', 'line 2 contains the control character U+202E');
    expectRefused('cat\n\u2067dog\n', 'U+2067');
    expectRefused('cat\rdog\rbird\r', 'line 1 contains a carriage return');
  });

  it('refuses a name over the length limit, counted in characters', () => {
    expect(parse(`${'é'.repeat(MAX_LABEL_LENGTH)}\nb\n`)[0]).toHaveLength(MAX_LABEL_LENGTH);
    expectRefused(
      `a\n${'x'.repeat(MAX_LABEL_LENGTH + 1)}\n`,
      `line 2 is ${MAX_LABEL_LENGTH + 1} characters long; at most ${MAX_LABEL_LENGTH}`,
    );
  });

  it('refuses text that is not UTF-8: Latin-1, UTF-16, binary', () => {
    expectRefused(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]), 'not UTF-8 text');
    expectRefused(new Uint8Array([0xff, 0xfe, 0x63, 0x00, 0x61, 0x00]), 'not UTF-8 text');
    expectRefused(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xc3]), 'not UTF-8 text');
  });

  it('refuses more than MAX_LABELS_BYTES', () => {
    expectRefused(
      new Uint8Array(MAX_LABELS_BYTES + 1).fill(0x61),
      `${MAX_LABELS_BYTES + 1} bytes; a labels file is at most ${MAX_LABELS_BYTES} bytes`,
    );
  });
});

describe('parseLabels: a JSON array of strings', () => {
  it('reads names as written, after leading white space', () => {
    expect(parse(' \n["Drawing", "Hentai", " Neutral", "a\\"b"]\n')).toEqual(['Drawing', 'Hentai', ' Neutral', 'a"b']);
  });

  it('refuses invalid JSON, a non-array, non-strings, empty and duplicate entries, escaped control characters', () => {
    expectRefused('["cat", "dog"', 'not valid JSON');
    expectRefused('[]', 'no class names');
    expectRefused('["cat", 3]', 'entry 1 is a number, not a string');
    expectRefused('["cat", null]', 'entry 1 is null, not a string');
    expectRefused('[["cat"]]', 'entry 0 is an array, not a string');
    expectRefused('["cat", ""]', 'entry 1 is empty');
    expectRefused('["cat", "  "]', 'entry 1 is empty');
    expectRefused('["cat", "dog", "cat"]', 'entry 2 repeats the name of entry 0 ("cat")');
    expectRefused('["cat", "d\\u001bog"]', 'entry 1 contains the control character U+001B');
    expectRefused('["cat", "d\\nog"]', 'entry 1 contains the control character U+000A');
  });

  it('an object (a class-index dictionary) is not a labels file', () => {
    expectRefused(
      '{"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]}',
      'expected a JSON array of strings, not an object',
    );
    expectRefused('  {"0": "Drawing"', 'not valid JSON');
  });
});

describe('checkLabelCount', () => {
  it('accepts the model’s class count and refuses any other, naming both', () => {
    expect(() => checkLabelCount(['a', 'b'], 2, 'l.txt')).not.toThrow();
    expect(() => checkLabelCount(['a', 'b'], 3, 'l.txt')).toThrow(
      new InputError('l.txt: 2 class names, but the model has 3 output classes'),
    );
    expect(() => checkLabelCount(['a'], 1001, 'l.txt')).toThrow(
      'l.txt: 1 class name, but the model has 1001 output classes',
    );
  });
});

describe('readLabels', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gradcam-labels-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file', async () => {
    const path = join(dir, 'nsfw.txt');
    await writeFile(path, 'Drawing\nHentai\nNeutral\nPorn\nSexy\n');
    expect(await readLabels(path)).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
  });

  it('refuses a missing file, a directory, a device, and a huge file before reading it', async () => {
    await expectInputError(readLabels(join(dir, 'missing.txt')), 'missing.txt: no such file');
    await expectInputError(readLabels(dir), 'is a directory; expected a labels file');
    await expectInputError(readLabels('/dev/zero'), '/dev/zero: a device or socket');
    const huge = join(dir, 'huge.txt');
    await writeFile(huge, '');
    const { truncate } = await import('node:fs/promises');
    await truncate(huge, 10 * 1024 * 1024 * 1024); // sparse: 10 GiB claimed, nothing allocated
    await expectInputError(readLabels(huge), `huge.txt: ${10 * 1024 * 1024 * 1024} bytes; a labels file is at most`);
  });
});
