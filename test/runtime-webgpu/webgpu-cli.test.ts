import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { probeWebgpu } from "../../runtime/backend/webgpu-adapters.js";
import { runCli } from "../support/run-cli.js";
import { processesOfRun, startCli } from "../support/spawn-cli.js";

/** Whether process `pid` is device `rank` of its run (a device entry with MGPUC_RANK=rank). */
function isDevice(pid: number, rank: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1");
    const environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
    return cmdline.includes("-entry") && environ.includes(`MGPUC_RANK=${rank}`);
  } catch {
    return false;
  }
}

/** The MNIST example with its `parallel` section's body replaced, in a file of its own. */
function withParallel(body: string): string {
  const text = readFileSync("examples/mnist.model", "utf8").replace(
    /parallel (\w+) \{[^}]*\}/,
    `parallel $1 {\n  ${body}\n}`,
  );
  const file = join(mkdtempSync(join(tmpdir(), "mgpuc-webgpu-")), "m.model");
  writeFileSync(file, text);
  return file;
}

/** A machine with no WebGPU adapter at all, made here: the Vulkan loader finds no driver. */
const NO_ADAPTER = {
  VK_ICD_FILENAMES: "/nonexistent/no-driver.json",
  VK_DRIVER_FILES: "/nonexistent/no-driver.json",
};

const probe = await probeWebgpu();
const runs = probe.adapters.length > 0 || process.env.CI === "true";

describe("WebGPU on a machine with no adapter", () => {
  it("`mgpuc devices` says why there is none and exits 0", async () => {
    const r = await runCli(["devices"], { env: NO_ADAPTER });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^webgpu: no adapter \(.*Vulkan.*\)$/m);
    // The CPU devices are still listed, on wasm.
    expect(r.stdout).toMatch(/cpu:0 +wasm/);
    const json = await runCli(["devices", "--json"], { env: NO_ADAPTER });
    const parsed = JSON.parse(json.stdout) as { webgpu: { adapters: unknown[]; reason: string } };
    expect(parsed.webgpu.adapters).toEqual([]);
    expect(parsed.webgpu.reason).toContain("no adapter");
  });

  it("`train --backend webgpu` exits 2 with the reason and the fix; auto trains on wasm", async () => {
    const r = await runCli(
      ["train", "examples/mnist.model", "--backend", "webgpu", "--steps", "1", "--no-save"],
      { env: NO_ADAPTER },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--backend webgpu: no WebGPU adapter");
    expect(r.stderr).toContain("--backend wasm");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const auto = await runCli(
      ["train", "examples/mnist.model", "--devices", "1", "--steps", "1", "--no-save"],
      { env: NO_ADAPTER },
    );
    expect(auto.code).toBe(0);
    expect(auto.stdout).toContain("(wasm backend)");
  });

  it("a bad --backend value, and a bad `backend:` in the parallel section, are usage errors", async () => {
    const r = await runCli(["train", "examples/mnist.model", "--backend", "cuda", "--no-save"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("expected one of auto, native, webgpu, wasm, cpu");
    const file = withParallel("backend: cuda");
    const checked = await runCli(["check", file]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(
      /m\.model:\d+:\d+ error MG\d+: unknown backend 'cuda'; expected one of .*webgpu/,
    );
  });
});

// Each test starts WebGPU device processes on a software adapter (lavapipe) and trains twice: 25–50 s alone,
// over a minute when CI shares the two cores with other test files.
describe.runIf(runs)("WebGPU from the command line, on the machine's adapter", { timeout: 180_000 }, () => {
  it("`mgpuc devices` lists the adapter with its name, vendor, whether software, and limits", async () => {
    const r = await runCli(["devices"]);
    expect(r.code).toBe(0);
    const a = probe.adapters[0]!;
    expect(r.stdout).toContain(`webgpu adapters (${probe.adapters.length}):`);
    expect(r.stdout).toContain(a.name);
    expect(r.stdout).toMatch(a.software ? /software/ : / GPU$/m);
    expect(r.stdout).toMatch(/max buffer \d+ MiB, max storage binding \d+ MiB/);
    // No driver notes leak from the probe.
    expect(r.stdout + r.stderr).not.toContain("artificially reduced");
  });

  it("`train --backend webgpu --devices 2` trains data-parallel in two processes, as the banner says", async () => {
    const r = await runCli([
      "train",
      "examples/mnist.model",
      "--backend",
      "webgpu",
      "--devices",
      "2",
      "--strategy",
      "data",
      "--steps",
      "3",
      "--no-save",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("2 devices (webgpu backend)");
    expect(r.stdout).toMatch(/^final: loss=\d/m);
    expect(r.stderr).not.toContain("artificially reduced");
  });

  it("a model-split plan trains on 2 WebGPU devices, weights as on 1 (the final lines agree)", async () => {
    const run = (devices: string, strategy: string) =>
      runCli([
        "train",
        "examples/mnist.model",
        "--backend",
        "webgpu",
        "--devices",
        devices,
        "--strategy",
        strategy,
        "--steps",
        "3",
        "--no-save",
      ]);
    const split = await run("2", "model");
    expect(split.code, split.stderr).toBe(0);
    expect(split.stdout).toContain("2 devices (webgpu backend) · strategy model → model×2");
    const one = await run("1", "data");
    expect(one.code, one.stderr).toBe(0);
    const l2 = (out: string) => Number(/weights_l2=([\d.]+)/.exec(out)![1]);
    expect(Math.abs(l2(split.stdout) - l2(one.stdout))).toBeLessThanOrEqual(1e-5 * l2(one.stdout));
  });

  it("batchnorm under data parallelism trains on 2 WebGPU devices (on the plan executor), as on 1", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mgpuc-webgpu-")), "bn.model");
    writeFileSync(
      file,
      `model Bn {
  input image: [8, 8, 1]
  conv2d(4, kernel: 3) -> batchnorm -> relu
  flatten
  dense(10, activation: softmax)
}
train Bn {
  data: synthetic(samples: 256, classes: 10)
  optimizer: sgd(lr: 0.05)
  loss: sparse_categorical_crossentropy
  batch: 32
  seed: 3
}
`,
    );
    const run = (devices: string) =>
      runCli([
        "train",
        file,
        "--backend",
        "webgpu",
        "--devices",
        devices,
        "--strategy",
        "data",
        "--steps",
        "4",
        "--no-save",
      ]);
    const two = await run("2");
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toContain("2 devices (webgpu backend)");
    const one = await run("1");
    expect(one.code, one.stderr).toBe(0);
    const l2 = (out: string) => Number(/weights_l2=([\d.]+)/.exec(out)![1]);
    expect(Math.abs(l2(two.stdout) - l2(one.stdout))).toBeLessThanOrEqual(1e-5 * l2(one.stdout));
  });

  it("`backend: webgpu` in the parallel section is honoured like --backend webgpu", async () => {
    const file = withParallel("devices: 1\n  backend: webgpu");
    const r = await runCli(["train", file, "--steps", "2", "--no-save"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1 device (webgpu backend)");
  });

  it("a WebGPU device process killed mid-run: exit 3 naming the device, and no process left", async () => {
    const run = startCli([
      "train",
      "examples/mnist.model",
      "--backend",
      "webgpu",
      "--devices",
      "2",
      "--strategy",
      "data",
      "--epochs",
      "1",
      "--json",
      "--no-save",
    ]);
    await run.waitForLine((line) => line.includes('"event":"step"'));
    const device = processesOfRun(run.tag).find((pid) => isDevice(pid, 1));
    expect(device).toBeDefined();
    process.kill(device!, "SIGKILL");
    const r = await run.exited;
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/"event":"error".*device 1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(processesOfRun(run.tag)).toEqual([]);
  });

  it("--transport thread with --backend webgpu is bad usage", async () => {
    const r = await runCli([
      "train",
      "examples/mnist.model",
      "--backend",
      "webgpu",
      "--transport",
      "thread",
      "--no-save",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("drop --transport thread");
  });
});
