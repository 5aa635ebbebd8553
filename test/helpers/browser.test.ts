/**
 * The browser harness itself: it must see every kind of problem a page can have (console errors,
 * uncaught errors, failed requests, broken or lazy images), and a missing Chromium must skip
 * locally and fail in CI.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImages, describeInBrowser, findChromium, isCi } from './browser.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'gradcam-browser-harness-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writePng(path: string, width: number, height: number): void {
  const png = new PNG({ width, height });
  png.data.fill(200);
  writeFileSync(path, PNG.sync.write(png));
}

describe('findChromium and isCi', () => {
  it('prefers $CHROMIUM_PATH and says when it does not exist', () => {
    expect(findChromium({ CHROMIUM_PATH: '/nonexistent/chrome' })).toEqual({
      missing: 'CHROMIUM_PATH=/nonexistent/chrome does not exist',
    });
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toEqual({ path: process.execPath });
  });

  it('reads CI the way CI services set it', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({ CI: '' })).toBe(false);
    expect(isCi({})).toBe(false);
  });
});

describe('without Chromium', () => {
  function runMissing(
    ci: string,
  ): Promise<{ code: number; report: { numPendingTests: number; numFailedTests: number } }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [
          join(ROOT, 'node_modules/vitest/vitest.mjs'),
          'run',
          '--config',
          'test/helpers/fixtures/vitest.browser-missing.config.ts',
          '--reporter=json',
        ],
        { cwd: ROOT, env: { ...process.env, CI: ci, CHROMIUM_PATH: '/nonexistent/chromium' } },
        (error, stdout) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, report: JSON.parse(stdout) });
        },
      );
    });
  }

  it('skips the suite locally (reported as skipped, not passed) and fails it in CI', async () => {
    const local = await runMissing('');
    expect(local.code).toBe(0);
    expect(local.report.numPendingTests).toBe(1);
    expect(local.report.numFailedTests).toBe(0);
    const ci = await runMissing('true');
    expect(ci.code).toBe(1);
    expect(ci.report.numFailedTests).toBe(1);
  });
});

describeInBrowser('the browser harness', (session) => {
  it('collects console errors, page errors and failed requests', async () => {
    const page = join(work, 'problems.html');
    writeFileSync(
      page,
      `<!doctype html><title>t</title><script>console.error('deliberate'); console.log('fine');</script>
       <script src="missing.js"></script><script>setTimeout(() => { throw new Error('uncaught here'); }, 0)</script>`,
    );
    const opened = await session().open(page);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await opened.close();
    expect(opened.problems).toContain('console error: deliberate');
    expect(opened.problems.some((line) => line.startsWith('request failed:') && line.includes('missing.js'))).toBe(
      true,
    );
    expect(opened.problems.some((line) => line.startsWith('page error:') && line.includes('uncaught here'))).toBe(true);
    expect(opened.problems.some((line) => line.includes('fine'))).toBe(false);
  });

  it('loads lazy images far below the fold and names the broken ones', async () => {
    writePng(join(work, 'good.png'), 4, 3);
    writeFileSync(join(work, 'corrupt.png'), 'not a png');
    const page = join(work, 'images.html');
    writeFileSync(
      page,
      `<!doctype html><title>t</title>
       <img src="good.png" alt="">
       <div style="height: 20000px"></div>
       <img src="good.png?far" loading="lazy" alt="">
       <img src="corrupt.png" loading="lazy" alt="">
       <img src="good.png?hidden" loading="lazy" style="display:none" alt="">`,
    );
    const opened = await session().open(page);
    const before = await opened.page.evaluate(() => document.images[1].naturalWidth);
    const check = await checkImages(opened.page);
    const after = await opened.page.evaluate(() => document.images[1].naturalWidth);
    await opened.close();
    expect(before).toBe(0); // still lazy: the harness had to scroll to it
    expect(after).toBe(4);
    expect(check).toEqual({ total: 4, displayed: 3, broken: ['corrupt.png'] });
  });
});
