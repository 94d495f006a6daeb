/**
 * The console in a real headless Chromium (Debian's, driven by playwright-core) against a real
 * `serve`: the page loads without console errors, graphs gain points after invocations, the
 * log tail shows a line while the invocation that printed it still runs, a dead letter is
 * redriven from the page, and the invoke form returns the payload. Screenshots of the main
 * views go to artifacts/console/ (git-ignored).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, type PipelineSpec } from '../../src/index.js';
import { consolePipeline } from '../helpers/console-pipeline.js';
import { Gates } from '../helpers/gates.js';
import { type Served, startServed } from '../server/harness.js';

const ARTIFACTS = fileURLToPath(new URL('../../artifacts/console/', import.meta.url));
const BOUND = 20_000;

let served: Served;
let browser: BrowserContext;
let profile: string;
let page: Page;
const problems: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits until `selector` matches an element containing `text`. */
async function seeText(selector: string, text: string): Promise<void> {
  await page.locator(selector, { hasText: text }).first().waitFor({ timeout: BOUND });
}

async function open(hash: string): Promise<void> {
  await page.goto(`${served.server.url}/${hash}`);
  await page.locator('main:not([aria-busy])').waitFor({ timeout: BOUND });
}

beforeAll(async () => {
  served = await startServed();
  await apply(served.engine, consolePipeline() as PipelineSpec, { baseDir: process.cwd() });
  await served.engine.buckets.putObject('cli-bucket', 'photos/one.jpg', 'jpeg bytes');
  await mkdir(ARTIFACTS, { recursive: true });
  profile = await mkdtemp(join(tmpdir(), 'lambdalite-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1100, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('the console in Chromium', { timeout: 90_000 }, () => {
  it('loads the overview at / with no console errors, and every section page too', async () => {
    await open('');
    await seeText('#status', 'Functions');
    await seeText('#live', 'live');
    await shot('overview');
    for (const hash of [
      '#/functions',
      '#/mappings',
      '#/buckets/cli-bucket?prefix=photos%2F',
      '#/streams/cli-stream',
      '#/tables',
      '#/roles/cli-fn',
    ]) {
      await open(hash);
      expect(await page.locator('main .error').count(), hash).toBe(0);
    }
    await shot('bucket');
    expect(problems).toEqual([]);
  });

  it('graphs gain points after invocations, and the invoke form returns the payload', async () => {
    await open('#/functions/echo');
    const invocations = page.locator('figure[data-chart="invocations"]');
    const before = Number(await invocations.getAttribute('data-points'));
    await page.getByLabel('Payload (JSON)').fill('{"n": 42}');
    await page.getByRole('button', { name: 'Invoke' }).click();
    await seeText('#invoke-result', '"n": 42');
    // Points only grow here: the figure is re-rendered with another count.
    await page
      .locator(`figure[data-chart="invocations"]:not([data-points="${before}"])`)
      .waitFor({ timeout: BOUND });
    expect(Number(await invocations.getAttribute('data-points'))).toBeGreaterThan(before);
    expect(
      Number(await page.locator('figure[data-chart="duration"]').getAttribute('data-points')),
    ).toBeGreaterThan(0);
    await shot('function');
    expect(problems).toEqual([]);
  });

  it('the log tail shows a line printed mid-invocation, before the invocation ends', async () => {
    const gates = new Gates();
    const gate = gates.name('tail');
    await open(`#/logs?group=${encodeURIComponent('/aws/lambda/gated')}`);
    await page.locator('#log-lines[data-state="live"]').waitFor({ timeout: BOUND });
    let finished = false;
    const invocation = served.engine.functions
      .invoke('gated', { waitFor: gate })
      .finally(() => (finished = true));
    await seeText('#log-lines', 'before the gate');
    expect(finished).toBe(false);
    gates.open(gate);
    await invocation;
    await seeText('#log-lines', 'after the gate');
    expect(await page.locator('#log-lines a').first().getAttribute('href')).toContain('filter=');
    await shot('logs');
    expect(problems).toEqual([]);
  });

  it('redrives a dead letter from the page', async () => {
    const failed = firstValueFrom(
      served.engine.eventsOf$('async.failed').pipe(
        filter((e) => e.functionName === 'fails'),
        timeout(BOUND),
      ),
    );
    await served.engine.functions.invokeAsync('fails', { letter: 1 });
    const { requestId } = await failed;
    await open('#/functions/fails');
    const redriven = firstValueFrom(served.engine.eventsOf$('async.redriven').pipe(timeout(BOUND)));
    await page.getByRole('button', { name: `Redrive ${requestId}` }).click();
    expect((await redriven).requestIds).toEqual([requestId]);
    await seeText('#dl-status', 'Redriven: 1');
    expect(problems).toEqual([]);
  });

  it('shows a mapping with its checkpoint per shard, and fits a narrow window', async () => {
    await served.engine.streams.putRecord('cli-stream', { partitionKey: 'k', data: '{"n":5}' });
    const [mapping] = await served.engine.mappings.list();
    await firstValueFrom(served.engine.eventsOf$('mapping.checkpoint').pipe(timeout(BOUND)));
    await open(`#/mappings/${mapping!.uuid}`);
    await seeText('#shards', 'shardId-000000000000');
    await shot('mapping');
    await page.setViewportSize({ width: 380, height: 800 });
    await open('#/functions/echo');
    const overflow = await page
      .locator('html')
      .evaluate(
        (el) =>
          (el as { scrollWidth: number; clientWidth: number }).scrollWidth -
          (el as { clientWidth: number }).clientWidth,
      );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('function-narrow');
    expect(problems).toEqual([]);
  });
});
