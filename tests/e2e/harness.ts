// What every end-to-end test needs: the built page served on a free port, Debian's Chromium driven by
// playwright-core with WebGPU on SwiftShader (../shared/WEBGPU-TESTING.md), every request recorded so a test
// can assert that none left the page's origin, and screenshots kept under test-results/e2e.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { ARTIFACTS, E2E_DIST } from './paths';

export const WEBGPU_ARGS = [
  '--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];
/** Chromium without WebGPU, for the fallback: the same quiet flags, and WebGPU switched off. */
export const NO_WEBGPU_ARGS = [
  '--no-sandbox', '--disable-features=WebGPU', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export interface Session {
  server: PreviewServer;
  origin: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every URL the page and its workers asked for. */
  requests: string[];
  /** Console errors and uncaught page errors, for failure messages. */
  errors: string[];
  close(): Promise<void>;
}

export async function openSession(opts: { webgpu?: boolean } = {}): Promise<Session> {
  const server = await preview({ logLevel: 'warn', build: { outDir: E2E_DIST }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('the preview server has no port');
  const origin = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: opts.webgpu === false ? NO_WEBGPU_ARGS : WEBGPU_ARGS,
    headless: true,
  });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 1000 } });
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return {
    server, origin, browser, context, page, requests, errors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Requests to anything but the page's own origin (data: and blob: URLs stay on the machine). */
export function foreignRequests(s: Session): string[] {
  return s.requests.filter((u) => !(u.startsWith(`${s.origin}/`) || u.startsWith('data:') || u.startsWith(`blob:${s.origin}/`)));
}

/** Opens the page and waits until its workers have answered (adapter probed, corpus listed, autosave checked). */
export async function openPage(s: Session): Promise<void> {
  await s.page.goto(`${s.origin}/`);
  await s.page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = resolve(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return resolve(ARTIFACTS, name);
}
