/**
 * The status page in a real browser (Debian's chromium driven by
 * playwright-core): two real processes, a 200 MiB file from A to B, and B's
 * page showing the transfer's progress value change while it runs, then the
 * file in its recent events and totals.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { readStatusEndpoint } from '../../src/status/state-files.js';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { MiB, PortRange, newSharePair, startLinkedPair, writeRandomFile } from '../helpers/sync-node.js';

const CHROMIUM = '/usr/bin/chromium';
const SIZE = 200 * MiB;
const ports = new PortRange(26600, 26699);
let browser: Browser | undefined;

after(async () => {
  await browser?.close();
  await cleanupNodes();
  removeTempDirs();
});

// Page code is passed as strings: the tests compile without the DOM typings.
const RECORD_PROGRESS = `
  window.seenProgress = [];
  new MutationObserver(() => {
    for (const bar of document.querySelectorAll('tr.transfer[data-path="big.bin"] progress')) {
      if (window.seenProgress.at(-1) !== bar.value) window.seenProgress.push(bar.value);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true });
`;

test('the status page shows a 200 MiB transfer progressing, then the synced file', { timeout: 300_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (as .ci/run does)`);
  const pair = newSharePair(ports);
  await startLinkedPair(pair);
  const { port, token } = await readStatusEndpoint(path.join(pair.dirB, '.leftsync'));

  browser = await chromium.launch({ executablePath: CHROMIUM });
  // The page's CSP forbids eval, which playwright's string predicates use.
  const page = await browser.newPage({ bypassCSP: true });
  page.setDefaultTimeout(120_000);
  await page.goto(`http://127.0.0.1:${port}/?token=${token}`);
  await page.waitForFunction("document.getElementById('connection').textContent === 'live'");
  await page.waitForSelector('#peers .linked');
  // Every value the page's progress bar for the file takes (rows are redrawn on each update).
  await page.evaluate(RECORD_PROGRESS);

  // Written outside the share and moved in, so the file appears whole.
  const staging = path.join(path.dirname(pair.dirA), 'big.bin');
  await writeRandomFile(staging, SIZE);
  await rename(staging, path.join(pair.dirA, 'big.bin'));

  await page.waitForSelector('#events tr[data-type="file.synced"]', { timeout: 240_000 });
  const seen = (await page.evaluate('window.seenProgress')) as number[];
  const between = [...new Set(seen.filter((v) => v > 0 && v < SIZE))];
  t.diagnostic(`progress values shown: ${between.length} between 0 and ${SIZE}`);
  if (process.env.LEFTSYNC_SCREENSHOT) await page.screenshot({ path: process.env.LEFTSYNC_SCREENSHOT, fullPage: true });
  assert.ok(between.length >= 2, `the progress bar showed at least two values between 0 and the size: ${JSON.stringify(seen)}`);
  assert.deepEqual([...between].sort((x, y) => x - y), between, 'progress only grows');
  assert.match((await page.textContent('#events'))!, /big\.bin, 200\.0 MiB/);
  await page.waitForFunction("/^1 files/.test(document.getElementById('totals').textContent)");
  assert.equal(await page.locator('tr.transfer').count(), 0, 'no transfer left in progress');
});
