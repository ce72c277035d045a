// Builds the operator console into dist/: one bundled script, one stylesheet and the page (no inline code).
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const out = new URL("./dist/", import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { console: "src/main.ts" },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  outdir: "dist",
  absWorkingDir: new URL(".", import.meta.url).pathname,
  logLevel: "warning",
});
await build({
  entryPoints: { console: "src/console.css" },
  bundle: true,
  minify: true,
  outdir: "dist",
  absWorkingDir: new URL(".", import.meta.url).pathname,
  logLevel: "warning",
});
copyFileSync(new URL("./src/index.html", import.meta.url), new URL("index.html", out));
