import { availableParallelism, loadavg } from "node:os";
import type { DeviceProfile } from "../compiler/cost/profile.js";
import type { Backend } from "../compiler/ir/config.js";
import {
  machineProfilesEnabled,
  readMachineProfile,
  saveMachineProfile,
  shippedFallbacks,
} from "./machine-profile.js";

/**
 * `mgpuc train`'s first use on a machine (machine-profile.ts): when the plan names no profile and none is
 * cached for this machine and backend, run the quick calibration (at most 10 s), cache it, and say so. The
 * profile measured, for the caller to plan again with (also when it could not be cached); else undefined.
 */
export async function measureMachineIfNeeded(job: {
  readonly profileGiven: boolean;
  readonly backend: Backend;
}): Promise<DeviceProfile | undefined> {
  if (job.profileGiven || !machineProfilesEnabled()) return undefined;
  const cached = readMachineProfile(job.backend);
  if (cached.profile !== undefined) return undefined;
  process.stderr.write(
    `measuring this machine for the cost model (first use, about 10 s; \`mgpuc calibrate\` measures at length, ` +
      `--profile cpu plans without it) ...\n`,
  );
  // Sampled before measuring: the measurement's own worker threads raise the load average while it runs.
  const loadBefore = loadavg()[0] ?? 0;
  const { calibrate } = await import("../runtime/index.js");
  const { planProbe } = await import("./plan-probe.js");
  const t0 = performance.now();
  let profile: DeviceProfile;
  try {
    profile = await calibrate({
      planProbe,
      quick: { unmeasured: shippedFallbacks() },
      ...(job.backend !== "auto" ? { backend: job.backend } : {}),
    });
  } catch (error) {
    // Training does not depend on the measurement: say why, and plan as before it existed.
    process.stderr.write(
      `warning: could not measure this machine (${(error as Error).message}); planning with the shipped ` +
        `cpu profile\n`,
    );
    return undefined;
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const problem = saveMachineProfile(job.backend, profile);
  process.stderr.write(
    problem === undefined
      ? `measured in ${seconds} s; saved to ${cached.path}, which plans without a profile now use ` +
          `(delete it to measure again)\n`
      : `measured in ${seconds} s; warning: ${problem} (used for this run only)\n`,
  );
  // Other work on the cores slows every figure: a profile measured so over-prices this machine until remade.
  const cores = availableParallelism();
  if (loadBefore > 0.75 * cores)
    process.stderr.write(
      `warning: the machine was busy when measuring began (load ${loadBefore.toFixed(1)} on ${cores} cores): ` +
        `its figures may be high; delete ${cached.path} to measure again when it is quieter\n`,
    );
  return profile;
}
