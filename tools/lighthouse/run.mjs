// Lighthouse runs for bench/bench_lighthouse.py: one headless Chromium per form factor, signed in once through
// /login (the session cookie stays in the browser: disableStorageReset), the HTTP cache emptied before every run
// (each run is a first load), the performance category only. Prints one JSON object per run on stdout.
//
//   node run.mjs '{"chromium": "/usr/bin/chromium", "base": "http://127.0.0.1:8062", "user": "...",
//                  "password": "...", "pages": ["/"], "forms": ["mobile", "desktop"], "runs": 3}'
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import puppeteer from 'puppeteer-core';

const args = JSON.parse(process.argv[2]);

async function signIn(page) {
  await page.goto(args.base + '/login', { waitUntil: 'load' });
  await page.type('#username', args.user);
  await page.type('#password', args.password);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('#sign-in-form button[type=submit]'),
  ]);
  if (new URL(page.url()).pathname === '/login') { throw new Error('sign-in failed as ' + args.user); }
}

function metrics(lhr) {
  const audit = (id) => (lhr.audits[id] ? lhr.audits[id].numericValue : null);
  const requests = lhr.audits['network-requests'];
  const items = (requests && requests.details && requests.details.items) || [];
  return {
    score: lhr.categories.performance.score === null ? null : Math.round(lhr.categories.performance.score * 100),
    fcp: audit('first-contentful-paint'),
    lcp: audit('largest-contentful-paint'),
    tbt: audit('total-blocking-time'),
    cls: audit('cumulative-layout-shift'),
    bytes: audit('total-byte-weight'),
    requests: items.length,
    warnings: lhr.runWarnings || [],
    error: lhr.runtimeError ? lhr.runtimeError.code : null,
  };
}

// One headless Chromium, signed in; a run that fails (a page that hung, a protocol timeout) may leave the browser
// mid-trace, so the next run gets a fresh one.
async function open(form) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cockpit-lighthouse-'));
  const browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-unsafe-swiftshader',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--lang=zh-CN'],
  });
  const page = await browser.newPage();
  await signIn(page);
  const cdp = await page.createCDPSession();
  return {
    browser, page, cdp, form,
    async close() {
      await browser.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

for (const form of args.forms) {
  let session = await open(form);
  try {
    for (let run = 1; run <= args.runs; run++) {
      for (const pathname of args.pages) {
        await session.cdp.send('Network.clearBrowserCache');
        const flags = { output: 'json', logLevel: 'error', onlyCategories: ['performance'], disableStorageReset: true };
        let row;
        try {
          const config = form === 'desktop' ? desktopConfig : undefined;
          const result = await lighthouse(args.base + pathname, flags, config, session.page);
          row = { form, page: pathname, run, ...metrics(result.lhr) };
          if (args.dump) {  // the whole report of each run, for a closer look (layout shifts, bootup time)
            fs.writeFileSync(path.join(args.dump, `${form}-${pathname.replace(/\W/g, '_')}-${run}.json`), JSON.stringify(result.lhr));
          }
        } catch (error) {  // one failed run is reported as such; the others still count
          row = { form, page: pathname, run, score: null, error: String(error && error.message || error) };
        }
        if (row.score === null) {
          await session.close();
          session = await open(form);
        }
        process.stdout.write(JSON.stringify(row) + '\n');
      }
    }
  } finally {
    await session.close();
  }
}
