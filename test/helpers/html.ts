/** Structural checks of the HTML pages gradcam writes (no DOM library: a tag scanner is enough for our own output). */
import { expect } from 'vitest';

const VOID_ELEMENTS = new Set(['meta', 'img', 'br', 'hr', 'link', 'input']);

/** Checks that every element is closed in order; returns the element names in document order. */
export function checkNesting(html: string): string[] {
  const withoutStyle = html
    .replace(/<style>[\s\S]*?<\/style>/g, '<style></style>')
    .replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
  const stack: string[] = [];
  const names: string[] = [];
  for (const match of withoutStyle.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)) {
    const [, closing, rawName, rest] = match;
    const name = rawName.toLowerCase();
    if (closing) {
      expect(stack.pop(), `</${name}> closes the innermost open element`).toBe(name);
      continue;
    }
    names.push(name);
    if (VOID_ELEMENTS.has(name) || rest.trimEnd().endsWith('/')) continue;
    stack.push(name);
  }
  expect(stack).toEqual([]);
  return names;
}
