import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Runtime tests spawn their own worker threads/processes; keep file-level parallelism to the two cores.
    maxWorkers: 2,
    minWorkers: 1,
    // Plans made without a profile use the shipped `cpu` one, not a calibration cached on the machine running the
    // tests (cli/machine-profile.ts); test/cli/machine-profile.test.ts turns it back on in its own cache folder.
    env: { MGPUC_MACHINE_PROFILE: "off" },
  },
});
