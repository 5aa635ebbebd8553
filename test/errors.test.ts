import { describe, expect, it } from 'vitest';
import {
  InputError,
  InvalidValueError,
  UsageError,
  escapeControlCharacters,
  forOption,
  fsReasonOf,
  relabel,
} from '../src/errors.js';

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

/** What `work` throws (synchronously or as a rejection); fails the test if it does not throw. */
async function thrownBy(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('forOption', () => {
  it("puts the flag in front of a message about the option's value, and makes it a UsageError", async () => {
    const error = await thrownBy(() =>
      forOption('--layer', () => {
        throw new InvalidValueError('relu9: no such layer', 'relu9');
      }),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('--layer relu9: no such layer');
  });

  it("leaves a message about something else in the library's words, still a UsageError", async () => {
    const error = await thrownBy(() =>
      forOption('--layer', async () => {
        throw new InvalidValueError('only models with one input and one output can be explained');
      }),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('only models with one input and one output can be explained');
  });

  it('keeps a file error a file error, with the flag when it is about the value', async () => {
    const named = await thrownBy(() =>
      forOption('--out', () => {
        throw new InputError('/x/out: not a directory', '/x/out');
      }),
    );
    expect(named).toBeInstanceOf(InputError);
    expect((named as Error).message).toBe('--out /x/out: not a directory');
    const other = await thrownBy(() =>
      forOption('--out', async () => {
        throw new InputError('/x/cam.json: no such file');
      }),
    );
    expect(other).toBeInstanceOf(InputError);
    expect((other as Error).message).toBe('/x/cam.json: no such file');
  });

  it('passes results and foreign errors through untouched', async () => {
    expect(forOption('--n', () => 7)).toBe(7);
    expect(await forOption('--n', async () => 8)).toBe(8);
    const bug = new TypeError('x is undefined');
    expect(await thrownBy(() => forOption('--n', () => Promise.reject(bug)))).toBe(bug);
  });
});

describe('relabel', () => {
  it('rewords, and says an InvalidValueError as a UsageError', async () => {
    const error = await thrownBy(() =>
      relabel(
        () => {
          throw new InvalidValueError('folder: no data files given', 'folder');
        },
        (e) => `--dataset ${e.subject} needs --data DIR`,
      ),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('--dataset folder needs --data DIR');
  });
});
