import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, fsReasonOf } from '../src/errors.js';

describe('escapeControlCharacters', () => {
  it('keeps a message with a newline or a terminal escape in a file name on one line', () => {
    expect(escapeControlCharacters('two\nlines.png: empty file')).toBe('two\\nlines.png: empty file');
    expect(escapeControlCharacters('a\tb\r\u001b[31mred\u007f\u0000')).toBe('a\\tb\\r\\u001b[31mred\\u007f\\u0000');
  });

  it('leaves printable text alone, including non-ASCII', () => {
    expect(escapeControlCharacters('Ünïcode 7×7 — ok')).toBe('Ünïcode 7×7 — ok');
  });
});

describe('fsReasonOf', () => {
  it("drops the path Node appends to a system error's message", () => {
    const error = Object.assign(new Error("ENOTDIR: not a directory, open '/x/notes.txt/.grid.png.tmp-1-abc'"), {
      code: 'ENOTDIR',
    });
    expect(fsReasonOf(error)).toBe('ENOTDIR: not a directory');
  });

  it('keeps other messages whole (first line)', () => {
    expect(fsReasonOf(new Error('disk quota, really\nsecond line'))).toBe('disk quota, really');
    expect(fsReasonOf(Object.assign(new Error('custom, with a comma'), { code: 'EIO' }))).toBe('custom, with a comma');
  });
});
