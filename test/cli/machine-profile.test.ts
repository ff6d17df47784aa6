import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateProfile, isProfileError } from "../../compiler/cost/profiles.js";
import {
  machineProfileDir,
  machineProfilePath,
  machineProfilesEnabled,
  readMachineProfile,
} from "../../cli/machine-profile.js";
import { analyse, planOf } from "../../cli/lsp/analysis.js";
import { REPO, runCli } from "../support/run-cli.js";

/**
 * This machine's measured profile (issue 17, cli/machine-profile.ts): `train` measures it on first use when the
 * plan names no profile, caches it per machine, and plans without a profile (`train`, `explain`, `--emit`) use
 * it; a profile named on the command line or in the file wins; a bad or unwritable cache is said and lived with.
 */

const dir = mkdtempSync(join(tmpdir(), "mgpuc-machine-profile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NO_PROFILE = `model Tiny {
  input x: [28, 28]
  flatten
  dense(32, activation: relu)
  dense(10, activation: softmax)
}

train Tiny {
  data: mnist
  optimizer: adam(lr: 0.001)
  loss: sparse_categorical_crossentropy
  batch: 64
}

parallel Tiny {
  devices: 2
}
`;
const model = join(dir, "tiny.model");
writeFileSync(model, NO_PROFILE);
const withCpu = join(dir, "tiny-cpu.model");
writeFileSync(withCpu, NO_PROFILE.replace("devices: 2", "devices: 2\n  profile: cpu"));

const shipped = JSON.parse(readFileSync(join(REPO, "profiles", "cpu.json"), "utf8")) as Record<
  string,
  unknown
>;
/** A profile unlike the shipped one: a slower machine with a costlier step. */
const slow = { ...shipped, fp32FlopsPerSecond: 2e9, stepOverheadSeconds: 0.03, source: "a test" };

/** The environment of a command that may use a machine profile cached in `cache`. */
const envWith = (cache: string) => ({ MGPUC_MACHINE_PROFILE: "", MGPUC_CACHE_DIR: cache });

async function stepMs(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const r = await runCli(["explain", ...args, "--json"], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { stepTimeMs: number }).stepTimeMs;
}

describe("where this machine's profile is cached", () => {
  it("MGPUC_CACHE_DIR, else $XDG_CACHE_HOME/mgpuc, else ~/.cache/mgpuc", () => {
    expect(machineProfileDir({ MGPUC_CACHE_DIR: "/a" })).toBe("/a");
    expect(machineProfileDir({ XDG_CACHE_HOME: "/b" })).toBe(join("/b", "mgpuc"));
    expect(machineProfileDir({})).toMatch(/[\\/]\.cache[\\/]mgpuc$/);
  });

  it("one file per backend, cores, CPU, mgpuc and node version", () => {
    const env = { MGPUC_CACHE_DIR: "/c" };
    const auto = machineProfilePath("auto", env);
    expect(auto.startsWith(join("/c", "profile-auto-"))).toBe(true);
    expect(auto).toMatch(/-\d+cores-.*-mgpuc\d+\.\d+\.\d+-node\d+\.json$/);
    expect(machineProfilePath("webgpu", env)).not.toBe(auto);
  });

  it("MGPUC_MACHINE_PROFILE=off turns it off", () => {
    expect(machineProfilesEnabled({ MGPUC_MACHINE_PROFILE: "off" })).toBe(false);
    expect(machineProfilesEnabled({})).toBe(true);
  });

  it("reads a usable file, and says why another is not", () => {
    const cache = join(dir, "read");
    const env = { MGPUC_CACHE_DIR: cache };
    expect(readMachineProfile("auto", env)).toEqual({ path: machineProfilePath("auto", env) });
    mkdirSync(cache, { recursive: true });
    writeFileSync(machineProfilePath("auto", env), "{ not json");
    expect(readMachineProfile("auto", env).problem).toMatch(/not valid JSON/);
    writeFileSync(machineProfilePath("auto", env), JSON.stringify({ ...slow, linkBandwidth: -1 }));
    expect(readMachineProfile("auto", env).problem).toMatch(/linkBandwidth/);
    writeFileSync(machineProfilePath("auto", env), JSON.stringify(slow));
    expect(readMachineProfile("auto", env).profile?.stepOverheadSeconds).toBe(0.03);
  });
});

describe("plans without a profile use this machine's", () => {
  const cache = join(dir, "explain");
  mkdirSync(cache, { recursive: true });
  const slowFile = join(dir, "slow.json");
  writeFileSync(slowFile, JSON.stringify(slow));

  it("explain: the cached profile, once there is one; the shipped one before", async () => {
    const before = await stepMs([model], envWith(cache));
    expect(before).toBe(await stepMs([model, "--profile", "cpu"], envWith(cache)));
    writeFileSync(machineProfilePath("auto", { MGPUC_CACHE_DIR: cache }), JSON.stringify(slow));
    const after = await stepMs([model], envWith(cache));
    expect(after).toBe(await stepMs([model, "--profile", slowFile], envWith(cache)));
    expect(after).not.toBe(before);
  });

  it("a profile on the command line or in the file wins", async () => {
    const cpu = await stepMs([model, "--profile", "cpu"], envWith(cache));
    expect(await stepMs([withCpu], envWith(cache))).toBe(cpu);
  });

  it("--emit plan too", async () => {
    writeFileSync(machineProfilePath("auto", { MGPUC_CACHE_DIR: cache }), JSON.stringify(slow));
    const r = await runCli([model, "--emit", "plan"], { env: envWith(cache) });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { predicted: { stepTimeMs: number } };
    expect(plan.predicted.stepTimeMs).toBe(await stepMs([model, "--profile", slowFile], envWith(cache)));
  });

  it("the editor's hover plans as explain does", async () => {
    writeFileSync(machineProfilePath("auto", { MGPUC_CACHE_DIR: cache }), JSON.stringify(slow));
    const saved = { ...process.env };
    try {
      Object.assign(process.env, envWith(cache));
      const plan = planOf(analyse(model, NO_PROFILE), "Tiny");
      expect(plan?.predicted.stepTimeMs).toBe(await stepMs([model], envWith(cache)));
      process.env.MGPUC_MACHINE_PROFILE = "off";
      const shippedPlan = planOf(analyse(model, NO_PROFILE), "Tiny");
      expect(shippedPlan?.predicted.stepTimeMs).toBe(
        await stepMs([model, "--profile", "cpu"], envWith(cache)),
      );
    } finally {
      process.env = saved;
    }
  });

  it("a cached file that cannot be used is said, and the shipped profile plans", async () => {
    const bad = join(dir, "bad");
    mkdirSync(bad, { recursive: true });
    writeFileSync(machineProfilePath("auto", { MGPUC_CACHE_DIR: bad }), "{");
    const r = await runCli(["explain", model, "--json"], { env: envWith(bad) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: ignoring this machine's cached profile: .*not valid JSON/);
    expect((JSON.parse(r.stdout) as { stepTimeMs: number }).stepTimeMs).toBe(
      await stepMs([model, "--profile", "cpu"], envWith(bad)),
    );
  });
});

describe("train measures this machine on first use", () => {
  it("once: the quick calibration is cached and planned with, then reused", async () => {
    const cache = join(dir, "train");
    const first = await runCli(["train", model, "--steps", "3", "--no-save"], {
      env: envWith(cache),
      timeoutMs: 170_000,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/measuring this machine for the cost model/);
    const path = machineProfilePath("auto", { MGPUC_CACHE_DIR: cache });
    const saved = validateProfile(JSON.parse(readFileSync(path, "utf8")), path);
    if (isProfileError(saved)) throw new Error(saved.error);
    expect(saved.source).toMatch(/calibrate --quick/);
    expect(first.stderr).toContain(`saved to ${path}`);
    // The split-layer overhead, not measured by the quick form, is the shipped profile's.
    expect(saved.splitLayerOverheadSeconds).toBe(shipped.splitLayerOverheadSeconds);

    const again = await runCli(["train", model, "--steps", "3", "--no-save", "--json"], {
      env: envWith(cache),
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/measuring this machine/);
    const final = again.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string; predicted_step_ms?: number })
      .find((e) => e.event === "final");
    // Planned with the cached profile: the prediction is the one explain gives with it.
    expect(final?.predicted_step_ms).toBeCloseTo(await stepMs([model], envWith(cache)), 1);
  }, 240_000);

  it("a profile in the file: nothing is measured", async () => {
    const cache = join(dir, "named");
    const r = await runCli(["train", withCpu, "--steps", "2", "--no-save"], { env: envWith(cache) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/measuring this machine/);
    expect(existsSync(cache)).toBe(false);
  });

  it("a measurement that fails is said, and the run goes on as it would without one", async () => {
    // No native backend here: both the measurement and the training on it fail, each saying why.
    const cache = join(dir, "failed");
    const args = ["train", model, "--backend", "native", "--steps", "1", "--no-save"];
    const r = await runCli(args, { env: envWith(cache) });
    expect(r.stderr).toMatch(
      /warning: could not measure this machine \(.*\); planning with the shipped cpu profile/,
    );
    const without = await runCli(args, { env: { MGPUC_MACHINE_PROFILE: "off", MGPUC_CACHE_DIR: cache } });
    expect(r.code).toBe(without.code);
    expect(existsSync(cache)).toBe(false);
  });

  it("a cache that cannot be written: said, and the run goes on with what was measured", async () => {
    const blocked = join(dir, "blocked");
    writeFileSync(blocked, "a file where the cache folder should be");
    const r = await runCli(["train", model, "--steps", "2", "--no-save"], {
      env: envWith(join(blocked, "mgpuc")),
      timeoutMs: 170_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: could not save it to .*\(used for this run only\)/);
    expect(r.stdout).toMatch(/^final: /m);
    expect(readdirSync(dir)).toContain("blocked");
  }, 240_000);
});
