import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Runtime tests spawn their own worker threads/processes; keep file-level parallelism to the two cores.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
