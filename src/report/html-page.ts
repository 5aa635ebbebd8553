/**
 * The shell every HTML page gradcam writes shares (eval report, gallery): one self-contained
 * UTF-8 document with inline CSS, the house style, and escaping for every string that came from
 * a file or the user. A page that runs a script pins it by hash in a Content-Security-Policy, so
 * nothing else can run in it — not a script smuggled in through a class name, nor a CDN.
 */
import { createHash } from 'node:crypto';

/**
 * Text made safe for HTML element content and quoted attribute values: & < > " ' become
 * character references.
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** The house style: typography, headings, tables, definition lists. Pages append their own rules. */
export const BASE_STYLE = `
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
dt { font-weight: 600; margin-top: 0.5em; } dd { margin-left: 1.5em; }
`;

export interface HtmlPage {
  /** Plain text; escaped here. */
  title: string;
  /** CSS, appended to BASE_STYLE. */
  style?: string;
  /** The body's markup, already escaped where it holds outside strings. */
  body: string;
  /** Plain JavaScript run at the end of the body; the page's policy allows exactly this script. */
  script?: string;
}

/**
 * The whole document. Its Content-Security-Policy allows only inline styles, images from the
 * page's own place (relative files, `data:` URLs) and, when given, the one script (by SHA-256):
 * no network requests, no other scripts.
 *
 * @returns the HTML document as a string (UTF-8 text), ending with a newline
 */
export function htmlDocument(page: HtmlPage): string {
  const scriptSource =
    page.script === undefined
      ? "'none'"
      : `'sha256-${createHash('sha256').update(page.script, 'utf8').digest('base64')}'`;
  const policy = `default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; script-src ${scriptSource}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${BASE_STYLE}${page.style ?? ''}</style>`,
    '</head>',
    '<body>',
    page.body,
    ...(page.script === undefined ? [] : [`<script>${page.script}</script>`]),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
