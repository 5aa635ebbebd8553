/**
 * Class names for a model without gradcam.json: a text file with one name per line, or a JSON
 * array of strings. Names end up in cam.json, in picture captions, in HTML reports, in `--class NAME`
 * lookups and in one-line messages, so a file that could make any of those wrong is refused with
 * the line (or array index) at fault:
 * - not UTF-8 (a Latin-1 file would turn "café" into mojibake), or no names at all;
 * - an empty name in the middle (it would shift every later class by one; trailing blank lines
 *   are ignored, as is a UTF-8 byte-order mark and CRLF line ends);
 * - the same name twice (`--class NAME` and per-class summaries need one class per name);
 * - control characters, line or paragraph separators and bidirectional overrides (they would
 *   break one-line output or make a name display as another);
 * - names over MAX_LABEL_LENGTH characters, files over MAX_LABELS_BYTES.
 * Names in a text file are trimmed of surrounding spaces; names in JSON are taken as written
 * (but must not be blank). A file whose first non-blank character is `[` or `{` is read as JSON,
 * so a class-index dictionary (Keras's imagenet_class_index.json) is refused as one rather than
 * read as a single name.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { readUserFile } from '../io/read-files.js';

/** 4 MiB holds ImageNet-21k's 21,843 WordNet names several times over. */
export const MAX_LABELS_BYTES = 4 * 1024 * 1024;
/** Characters (code points) per name: enough for "n02110958 pug, pug-dog"-style ImageNet names. */
export const MAX_LABEL_LENGTH = 200;

/** C0/C1 controls, DEL, line/paragraph separators, bidi embeddings, overrides and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Reads and checks a labels file; InputError naming `path` and the line at fault. */
export async function readLabels(path: string): Promise<string[]> {
  // Checked before reading, so a multi-gigabyte file given by mistake is not loaded.
  const size = await stat(path).then(
    (info) => (info.isFile() ? info.size : 0),
    () => 0,
  );
  if (size > MAX_LABELS_BYTES)
    throw new InputError(`${path}: ${size} bytes; a labels file is at most ${MAX_LABELS_BYTES} bytes`);
  const bytes = await readUserFile(path, 'a labels file (one class name per line, or a JSON array of strings)');
  return parseLabels(bytes, path);
}

/** bytes: the whole file. Returns the names in class-index order. */
export function parseLabels(bytes: Uint8Array, source: string): string[] {
  if (bytes.length > MAX_LABELS_BYTES)
    throw new InputError(`${source}: ${bytes.length} bytes; a labels file is at most ${MAX_LABELS_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError(`${source}: not UTF-8 text; expected one class name per line, or a JSON array of strings`);
  }
  const json = /^\s*[[{]/.test(text);
  const names = json ? namesFromJson(text, source) : namesFromLines(text, source);
  if (names.length === 0)
    throw new InputError(`${source}: no class names; expected one class name per line, or a JSON array of strings`);
  const where = (index: number) => (json ? `entry ${index}` : `line ${index + 1}`);
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    if (name.trim() === '') throw new InputError(`${source}: ${where(index)} is empty; every class needs a name`);
    const forbidden = FORBIDDEN.exec(name);
    if (forbidden) {
      const code = forbidden[0].codePointAt(0) as number;
      throw new InputError(
        `${source}: ${where(index)} contains the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
      );
    }
    const length = [...name].length;
    if (length > MAX_LABEL_LENGTH)
      throw new InputError(`${source}: ${where(index)} is ${length} characters long; at most ${MAX_LABEL_LENGTH}`);
    const first = seen.get(name);
    if (first !== undefined)
      throw new InputError(
        `${source}: ${where(index)} repeats the name of ${where(first)} ("${name}"); class names must differ`,
      );
    seen.set(name, index);
  });
  return names;
}

function namesFromLines(text: string, source: string): string[] {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  // A lone CR (classic Mac line ends) would otherwise hide several names in one line.
  const withCarriageReturn = lines.findIndex((line) => line.includes('\r'));
  if (withCarriageReturn >= 0)
    throw new InputError(
      `${source}: line ${withCarriageReturn + 1} contains a carriage return; use \\n or \\r\\n line ends`,
    );
  return lines.map((line) => line.trim());
}

function namesFromJson(text: string, source: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${source}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(value)) throw new InputError(`${source}: expected a JSON array of strings, not ${kindOf(value)}`);
  const nonString = value.findIndex((name) => typeof name !== 'string');
  if (nonString >= 0)
    throw new InputError(`${source}: entry ${nonString} is ${kindOf(value[nonString])}, not a string`);
  return value as string[];
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Checks that a labels file names exactly the model's classes; InputError naming the file.
 * A 1001-class TF Hub model with a 1000-name ImageNet list is the classic off-by-one ("background").
 */
export function checkLabelCount(names: readonly string[], classes: number, source: string): void {
  if (names.length !== classes) {
    throw new InputError(
      `${source}: ${names.length} class name${names.length === 1 ? '' : 's'}, but the model has ${classes} output classes`,
    );
  }
}
