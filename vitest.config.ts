import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { assembleWorkerAssets } from "./scripts/console-assets.ts";

// The workers project reads wrangler.toml, whose [assets] directory is generated: built before anything starts.
assembleWorkerAssets();

export default defineConfig({
  test: {
    // Declared here, not in the workers project: there it would be resolved with workerd conditions.
    globalSetup: ["./test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        // `extends: true` carries the root options (timeouts) into the project.
        extends: true,
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          // The console in Chromium (test/browser/harness.ts): one file at a time, each with its own browser.
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: inject("workerBindings") },
          })),
        ],
        extends: true,
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
        },
      },
    ],
  },
});
