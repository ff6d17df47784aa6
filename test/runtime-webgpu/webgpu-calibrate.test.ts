import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { probeWebgpu } from "../../runtime/backend/webgpu-adapters.js";
import { runCli } from "../support/run-cli.js";

// A file of its own: calibration takes a while on the software adapter, and vitest runs files side by side. The
// quick form (the one `train` runs on first use): the full form adds the split-layer probe, which the wasm
// calibration test covers, and took 2.5 minutes of CI here.
const probe = await probeWebgpu();
const runs = probe.adapters.length > 0 || process.env.CI === "true";

describe.runIf(runs)("calibrating WebGPU devices", () => {
  it("`calibrate --backend webgpu --quick` measures a profile that plans", { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "mgpuc-webgpu-"));
    const profile = join(dir, "webgpu.json");
    const r = await runCli(["calibrate", "--backend", "webgpu", "--quick", "-o", profile], {
      timeoutMs: 280_000,
    });
    expect(r.code).toBe(0);
    const measured = JSON.parse(readFileSync(profile, "utf8")) as Record<string, unknown>;
    expect(measured.name).toBe("webgpu");
    expect(measured.source).toContain("webgpu backend");
    expect(measured.fp32FlopsPerSecond as number).toBeGreaterThan(0);
    expect(measured.stepOverheadSeconds as number).toBeGreaterThanOrEqual(0);
    const explained = await runCli(["explain", "examples/mnist.model", "--profile", profile]);
    expect(explained.code).toBe(0);
  });
});
