// The installed Chromium the browser tests drive through playwright-core (never a browser download), its launch
// flags, and whether a missing one fails (PMX_REQUIRE_BROWSER=1, set by .ci/run) or skips the suite.
import { existsSync } from "node:fs";

/** An installed Chromium: PMX_CHROMIUM, else Debian's or Ubuntu's usual paths. */
export const CHROMIUM =
  [process.env.PMX_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
    (p): p is string => p !== undefined && p !== "" && existsSync(p),
  ) ?? null;
export const BROWSER_REQUIRED = process.env.PMX_REQUIRE_BROWSER === "1";
export const NO_CHROMIUM =
  "no Chromium found (PMX_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser): install one (Debian/Ubuntu: sudo apt-get install -y chromium) or set PMX_CHROMIUM to its path; .ci/run installs it";
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
