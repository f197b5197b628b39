// `npm test`: the scenario requests in test/, run in order against every Worker (see
// test/scenario.test.ts). Starting the Workers and preparing the stores takes a few seconds.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
