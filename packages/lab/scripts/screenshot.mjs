#!/usr/bin/env node
// Screenshots a lab HTML report with headless Debian Chromium (playwright-core drives it; no browser download).
// usage: node packages/lab/scripts/screenshot.mjs REPORT.html OUT.png [--full] [--width 1520] [--height 1170]
// The committed docs/images/lab-election-2024.png is made with:
//   node services/gateway/dist/cli.js lab --scenario election-2024 --policies perp20x,default,1x \
//     --html /tmp/lab-election-2024.html
//   node packages/lab/scripts/screenshot.mjs /tmp/lab-election-2024.html docs/images/lab-election-2024.png
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function parse(args) {
  const out = { positional: [], full: false, width: 1520, height: 1170 };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--full") out.full = true;
    else if (args[i] === "--width") out.width = Number(args[++i]);
    else if (args[i] === "--height") out.height = Number(args[++i]);
    else out.positional.push(args[i]);
  }
  return out;
}

async function main(args) {
  const { positional, full, width, height } = parse(args);
  const [input, output] = positional;
  if (!input || !output) {
    process.stderr.write("usage: screenshot.mjs REPORT.html OUT.png [--full] [--width N] [--height N]\n");
    return 2;
  }
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`no Chromium at ${CHROMIUM}: apt-get install -y chromium\n`);
    return 1;
  }
  const profile = mkdtempSync(join(tmpdir(), "pmx-lab-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    deviceScaleFactor: 1,
  });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(resolve(input)).href);
    await page.waitForSelector("svg.chart");
    await page.screenshot({ path: resolve(output), fullPage: full });
    process.stdout.write(`screenshot written to ${output}\n`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
