// One root vitest config: each workspace is a project; internal packages are consumed from source.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (dir: string) => fileURLToPath(new URL(`./${dir}/src/index.ts`, import.meta.url));
const alias = {
  "@pmx/matching": src("packages/matching"),
  "@pmx/liquidation": src("packages/liquidation"),
  "@pmx/domain": src("packages/domain"),
  "@pmx/eventstore": src("packages/eventstore"),
  "@pmx/projections": src("packages/projections"),
  "@pmx/gateway": src("services/gateway"),
  "@pmx/lab": src("packages/lab"),
  "@pmx/client": src("packages/client"),
};
const project = (name: string, root: string, extra: object = {}) => ({
  resolve: { alias },
  test: { name, root, include: ["**/*.test.ts"], exclude: ["**/node_modules/**", "**/dist/**"], ...extra },
});

export default defineConfig({
  test: {
    projects: [
      project("@pmx/matching", "packages/matching"),
      project("@pmx/liquidation", "packages/liquidation"),
      project("@pmx/domain", "packages/domain"),
      project("@pmx/eventstore", "packages/eventstore"),
      project("@pmx/projections", "packages/projections"),
      project("@pmx/gateway", "services/gateway"),
      project("@pmx/client", "packages/client"),
      project("@pmx/lab", "packages/lab", { testTimeout: 300_000, hookTimeout: 300_000 }),
      project("@pmx/tests", "tests", { testTimeout: 120_000, hookTimeout: 120_000 }),
    ],
  },
});
