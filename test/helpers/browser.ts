/**
 * Headless Chromium for tests of the HTML pages we write (gallery, reports), driven by
 * puppeteer-core against the system browser: Debian's `chromium` package at /usr/bin/chromium, or
 * the executable named by $CHROMIUM_PATH. Nothing is downloaded.
 *
 * Use `describeInBrowser`: one browser per test file (launching costs about a second of a CPU we
 * share), a fresh profile directory, and three outcomes when the browser is missing:
 * - locally: every test of the suite is reported as SKIPPED with the reason (never as passed);
 * - in CI (`CI=true`): every test FAILS with the reason, so a broken CI image cannot go green.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, deterministic, offline browser: no GPU, no background traffic, no updates. */
const CHROMIUM_FLAGS = [
  '--no-sandbox', // CI runs as root, where Chromium's sandbox refuses to start
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage', // containers often have a 64 MB /dev/shm
];

export interface ChromiumLookup {
  /** The executable, when found. */
  path?: string;
  /** Why there is none, when not found. */
  missing?: string;
}

/** Where Chromium is: $CHROMIUM_PATH if set (it must exist), else /usr/bin/chromium. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const wanted = env.CHROMIUM_PATH;
  if (wanted) {
    return existsSync(wanted) ? { path: wanted } : { missing: `CHROMIUM_PATH=${wanted} does not exist` };
  }
  if (existsSync(DEFAULT_CHROMIUM)) return { path: DEFAULT_CHROMIUM };
  return { missing: `Chromium not found at ${DEFAULT_CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)` };
}

/** CI must run the browser tests, so there a missing browser is a failure rather than a skip. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** A page opened by `BrowserSession.open`, with everything that went wrong while it ran. */
export interface OpenedPage {
  page: Page;
  /** Console errors, uncaught page errors and failed requests, one line each, in order. */
  problems: string[];
  close(): Promise<void>;
}

/** One headless Chromium with its own throw-away profile. */
export class BrowserSession {
  private constructor(
    private readonly browser: Browser,
    private readonly profileDir: string,
  ) {}

  static async launch(executablePath: string): Promise<BrowserSession> {
    const profileDir = mkdtempSync(join(tmpdir(), 'gradcam-chromium-'));
    try {
      const browser = await puppeteer.launch({
        executablePath,
        headless: true,
        args: [...CHROMIUM_FLAGS, `--user-data-dir=${profileDir}`],
        // The default (pipe-less websocket) is fine; keep Chromium's stderr out of the test output.
        dumpio: false,
      });
      return new BrowserSession(browser, profileDir);
    } catch (error) {
      rmSync(profileDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Opens a file (a path, or a file:// / http URL) in a new tab of `width`×`height` and waits for
   * the load event. Problems are collected from before navigation starts.
   */
  async open(target: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
    const page = await this.browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) =>
      problems.push(`page error: ${error instanceof Error ? error.message : String(error)}`),
    );
    page.on('requestfailed', (request) => {
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown error'})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.setViewport(viewport);
    const url = /^[a-z]+:\/\//i.test(target) ? target : pathToFileURL(target).href;
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems, close: () => page.close() };
  }

  /** Closes the browser and removes its profile. Safe to call twice. */
  async close(): Promise<void> {
    try {
      await this.browser.close();
    } finally {
      rmSync(this.profileDir, { recursive: true, force: true });
    }
  }
}

export interface ImageCheck {
  /** Every <img> in the document. */
  total: number;
  /** Images that are displayed (have a layout box); only these can load when lazy. */
  displayed: number;
  /** The src of each displayed image that failed to load (naturalWidth 0 after it was in view). */
  broken: string[];
}

/**
 * Scrolls every displayed <img> into view (so `loading="lazy"` images start), waits for each to
 * finish or fail, and reports those with naturalWidth 0. Images hidden with display:none never
 * load lazily, so they are counted but not checked: show them first to check them.
 */
export async function checkImages(page: Page, perImageTimeoutMs = 5000): Promise<ImageCheck> {
  return page.evaluate(async (timeoutMs: number) => {
    const images = Array.from(document.images);
    const displayed = images.filter((image) => image.getClientRects().length > 0);
    const broken: string[] = [];
    for (const image of displayed) {
      image.scrollIntoView({ block: 'center' });
      if (!image.complete) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          image.addEventListener('load', done, { once: true });
          image.addEventListener('error', done, { once: true });
        });
      }
      if (!(image.complete && image.naturalWidth > 0))
        broken.push(image.getAttribute('src')?.slice(0, 120) ?? '(no src)');
    }
    window.scrollTo(0, 0);
    return { total: images.length, displayed: displayed.length, broken };
  }, perImageTimeoutMs);
}

/**
 * A `describe` whose tests share one headless Chromium. `body` registers tests as usual and gets
 * the session through the returned getter (valid inside tests and hooks, not at collection time).
 * Without Chromium the tests are skipped with the reason, or fail with it when CI is set.
 */
export function describeInBrowser(name: string, body: (session: () => BrowserSession) => void): void {
  const chromium = findChromium();
  describe(name, () => {
    let session: BrowserSession | undefined;
    if (chromium.path) {
      const executable = chromium.path;
      beforeAll(async () => {
        session = await BrowserSession.launch(executable);
      });
      afterAll(async () => {
        await session?.close();
      });
    } else if (isCi()) {
      beforeEach(() => {
        throw new Error(`browser tests need Chromium in CI: ${chromium.missing}`);
      });
    } else {
      // biome-ignore lint/suspicious/noDuplicateTestHooks: one of two exclusive branches registers a hook
      beforeEach((context) => {
        context.skip(`skipped: ${chromium.missing}`);
      });
    }
    body(() => {
      if (!session) throw new Error('the browser session is used before beforeAll launched it');
      return session;
    });
  });
}
