import { cpus, homedir, availableParallelism } from "node:os";
import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeviceProfile } from "../compiler/cost/profile.js";
import { isProfileError, loadProfile, validateProfile } from "../compiler/cost/profiles.js";
import type { Backend } from "../compiler/ir/config.js";
import type { CompileOptions } from "../compiler/pipeline.js";
import { VERSION } from "./version.js";
import { makeFolders } from "../runtime/files/make-folders.js";

/**
 * This machine's measured device profile, so that a plan made without a profile (none on the command line,
 * none in the file) uses what this machine measures instead of the shipped `cpu` (issue 17): `mgpuc train`
 * runs the quick calibration (at most 10 s) on its first use on a machine and caches the profile; `train`,
 * `explain` and `--emit` then plan with it. `--profile cpu` (or `profile: cpu` in the file) still plans for the
 * shipped profile, and `mgpuc calibrate -o FILE` measures at length.
 *
 * The cache is one file per (backend, cores, CPU model, mgpuc version, node major version): a profile from
 * another machine, another mgpuc or another node measures something else. Its folder: `MGPUC_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/mgpuc`, else `~/.cache/mgpuc`. `MGPUC_MACHINE_PROFILE=off` plans with the shipped profile and
 * never calibrates (the test suite runs so, for plans that do not depend on the machine).
 */

/** Whether plans may use (and `train` may measure) this machine's profile. */
export function machineProfilesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.MGPUC_MACHINE_PROFILE !== "off";
}

export function machineProfileDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MGPUC_CACHE_DIR) return env.MGPUC_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "mgpuc");
}

/** The cache file for `backend` on this machine: what it depends on, in its name. */
export function machineProfilePath(backend: Backend, env: NodeJS.ProcessEnv = process.env): string {
  const model = (cpus()[0]?.model ?? "unknown-cpu")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  const node = process.versions.node.split(".")[0];
  const name = `profile-${backend}-${availableParallelism()}cores-${model}-mgpuc${VERSION}-node${node}.json`;
  return join(machineProfileDir(env), name);
}

/** A cached profile and where it is; `problem` when a file was there but could not be used. */
export interface CachedProfile {
  readonly profile?: DeviceProfile;
  readonly path: string;
  readonly problem?: string;
}

/** This machine's cached profile for `backend`: absent (no file), usable, or a problem to warn about. */
export function readMachineProfile(backend: Backend, env: NodeJS.ProcessEnv = process.env): CachedProfile {
  const path = machineProfilePath(backend, env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { path };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { path, problem: `${path} is not valid JSON (${(error as Error).message})` };
  }
  const profile = validateProfile(parsed, path);
  return isProfileError(profile) ? { path, problem: profile.error } : { path, profile };
}

/**
 * The compiler's `machineProfile` option: the cached profile, when enabled and usable. A file that cannot be
 * used is reported once on `warn` and planned around (the shipped profile); `train` measures a new one.
 */
export function cachedMachineProfiles(
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): ((backend: Backend) => DeviceProfile | undefined) | undefined {
  if (!machineProfilesEnabled(env)) return undefined;
  const seen = new Map<Backend, DeviceProfile | undefined>();
  return (backend) => {
    if (seen.has(backend)) return seen.get(backend);
    const cached = readMachineProfile(backend, env);
    if (cached.problem !== undefined)
      warn(`ignoring this machine's cached profile: ${cached.problem}; \`mgpuc train\` measures it again`);
    seen.set(backend, cached.profile);
    return cached.profile;
  };
}

/**
 * The compile option that plans with this machine's cached profile, unless `--profile` names one: the
 * `backend` flag (train's `--backend`) picks the cache file over the file's `backend:`. Problems with the cache
 * go to `warn` (stderr by default).
 */
export function machineProfileOption(
  flags: { readonly profile?: string; readonly backend?: Backend },
  warn: (message: string) => void = (message) => process.stderr.write(`warning: ${message}\n`),
): Pick<CompileOptions, "machineProfile"> {
  if (flags.profile !== undefined) return {};
  const cached = cachedMachineProfiles(warn);
  if (cached === undefined) return {};
  const backend = flags.backend;
  return { machineProfile: backend === undefined ? cached : () => cached(backend) };
}

/** The figures the quick calibration leaves to the shipped profile (runtime/train/calibrate.ts says why). */
export function shippedFallbacks(): {
  splitLayerOverheadSeconds: number;
  planExecutorLayerOverheadSeconds: number;
} {
  const shipped = loadProfile("cpu", ".");
  if (isProfileError(shipped)) throw new Error(`the shipped cpu profile: ${shipped.error}`);
  return {
    splitLayerOverheadSeconds: shipped.splitLayerOverheadSeconds ?? 0,
    planExecutorLayerOverheadSeconds: shipped.planExecutorLayerOverheadSeconds ?? 0,
  };
}

/**
 * Saves a measured profile to this machine's cache, written whole and renamed into place (a concurrent
 * `train` reads the old file or the new one). Returns the problem when it could not be written: the profile is
 * still used for this run.
 */
export function saveMachineProfile(
  backend: Backend,
  profile: DeviceProfile,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const path = machineProfilePath(backend, env);
  const partial = `${path}.${process.pid}.tmp`;
  try {
    makeFolders(machineProfileDir(env));
    writeFileSync(partial, `${JSON.stringify(profile, null, 2)}\n`);
    renameSync(partial, path);
    return undefined;
  } catch (error) {
    try {
      unlinkSync(partial);
    } catch {
      // nothing was written
    }
    return `could not save it to ${path}: ${(error as Error).message}`;
  }
}
