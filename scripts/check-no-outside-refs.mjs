// Refuses any test, script or doc of the repo that refers outside it: lines naming the sibling `shared/` tree, and
// relative paths or Markdown links that climb above the repo root. Lists the offending lines; exit 1 when any.
// usage: node scripts/check-no-outside-refs.mjs [ROOT]   (default: the repo this script is in; ROOT must be a git work tree)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));

/** Tracked files and new ones not ignored: what a clone (or the next commit) holds. */
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
  cwd: root,
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
})
  .split("\0")
  .filter((f) => f !== "")
  // bench-results/ holds recorded measurements (what ran, where), not tests, scripts or docs.
  .filter((f) => !f.startsWith("bench-results/"))
  .filter(
    (f) =>
      /\.(m?[jt]s|cjs|cts|mts|tsx?|sh|md|json|ya?ml|toml)$/.test(f) ||
      f.startsWith(".ci/") ||
      f === "Makefile",
  )
  .filter((f) => f !== "package-lock.json");

const SHARED = /\.\.\/(?:\.\.\/)*shared\//;
/** A relative path that starts by climbing (one or more "..", then a name), in quotes, backticks, parentheses or after a space. */
const CLIMB = /(?:^|["'`(\s=:])((?:\.\.\/)+[^\s"'`)]*)/g;

const escapes = (fromDir, path) => {
  const target = resolve(fromDir, path.split(/[?#]/)[0]);
  const rel = relative(root, target);
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
};

const offending = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(join(root, file), "utf8");
  } catch {
    continue; // listed but deleted in the work tree
  }
  const dir = dirname(join(root, file));
  text.split("\n").forEach((line, i) => {
    let why = SHARED.test(line) ? "names the shared/ tree beside the repo" : null;
    if (why === null)
      for (const m of line.matchAll(CLIMB))
        if (escapes(dir, m[1])) {
          why = `${m[1]} is outside the repo`;
          break;
        }
    if (why !== null) offending.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}  (${why})`);
  });
}

if (offending.length > 0) {
  process.stderr.write(
    `${offending.length} line(s) refer outside the repo (a clone has nothing beside it):\n${offending.join("\n")}\n`,
  );
  process.exit(1);
}
process.stdout.write(`no reference outside the repo in ${files.length} files\n`);
