#!/usr/bin/env node
// The `pmx` launcher that npm links (npx pmx, node_modules/.bin/pmx): runs the built command line, or says how to build it.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    "pmx: the command line is not built yet: run `npm run build` in the repo root first\n",
  );
  process.exit(2);
}
await import(cli.href);
