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
  const items = (lhr.audits['network-requests'] && lhr.audits['network-requests'].details.items) || [];
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

for (const form of args.forms) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cockpit-lighthouse-'));
  const browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-unsafe-swiftshader',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--lang=zh-CN'],
  });
  try {
    const page = await browser.newPage();
    await signIn(page);
    const cdp = await page.createCDPSession();
    for (let run = 1; run <= args.runs; run++) {
      for (const pathname of args.pages) {
        await cdp.send('Network.clearBrowserCache');
        const flags = { output: 'json', logLevel: 'error', onlyCategories: ['performance'], disableStorageReset: true };
        const result = await lighthouse(args.base + pathname, flags, form === 'desktop' ? desktopConfig : undefined, page);
        const row = { form, page: pathname, run, ...metrics(result.lhr) };
        if (args.dump) {  // the whole report of each run, for a closer look (layout shifts, bootup time)
          fs.writeFileSync(path.join(args.dump, `${form}-${pathname.replace(/\W/g, '_')}-${run}.json`), JSON.stringify(result.lhr));
        }
        process.stdout.write(JSON.stringify(row) + '\n');
      }
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
