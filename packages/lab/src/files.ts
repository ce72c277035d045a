// Where the lab's own files live: policies/, scenarios/, event-scenarios/ and paths/ beside src/ (and dist/) in the package.
import { fileURLToPath } from "node:url";

/** A folder of the package (resolved from this module, so it works from src/ under vitest and from dist/). */
export const labDir = (name: "policies" | "scenarios" | "event-scenarios" | "paths"): string =>
  fileURLToPath(new URL(`../${name}/`, import.meta.url));
