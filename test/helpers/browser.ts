// The live view in real headless Chromium (Debian's, driven by playwright-core;
// no browser is ever downloaded): a fresh profile per test, every request the
// page makes recorded, and what a state machine diagram highlights.
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browsed {
  page: Page;
  /** Every URL the page asked for. */
  requests: string[];
  /** URLs on any other host than the manager (must stay empty: the view works offline). */
  foreign: string[];
  /** Uncaught errors and console errors in the page. */
  problems: string[];
}

/** Debian's Chromium with a fresh profile, recording what the page requests; closed when the test ends. */
export async function browse(t: TestContext, managerUrl: string): Promise<Browsed> {
  const profile = mkdtempSync(join(tmpdir(), 'cube-ui-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1440, height: 960 },
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const origin = new URL(managerUrl).origin;
  const browsed: Browsed = { page: context.pages()[0] ?? (await context.newPage()), requests: [], foreign: [], problems: [] };
  context.on('request', (r) => {
    browsed.requests.push(r.url());
    if (new URL(r.url()).origin !== origin) browsed.foreign.push(r.url());
  });
  browsed.page.on('pageerror', (error) => browsed.problems.push(`page error: ${error.message}`));
  browsed.page.on('console', (message) => {
    if (message.type() === 'error') browsed.problems.push(`console: ${message.text()}`);
  });
  return browsed;
}

/** The Mermaid ids of the highlighted states: a leaf is `g.node.current` with id "<render>-state-<id>-<n>"; a composite is `g.statediagram-cluster.current` with data-id. */
export const highlighted = (page: Page) =>
  page.$$eval('#diagram svg g.current', (nodes) => nodes.map((g) => g.getAttribute('data-id') ?? /-state-(.+)-\d+$/.exec(g.id)?.[1] ?? `?${g.id}`));

/** The fill of the highlighted state's shape: the classDef's colour, so the highlight is visible. */
export const highlightFill = (page: Page) =>
  page.$eval('#diagram svg g.current', (g) => {
    // A leaf's own shape (rect.basic), or a composite's inner area (rect.inner): both are direct children.
    const shape = g.querySelector(':scope > rect, :scope > path');
    return shape ? getComputedStyle(shape).fill : 'no shape';
  });

export const amber = 'rgb(255, 209, 102)'; // classDef current fill:#ffd166
