import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTIN_PROFILES, OVERHEAD_FIELDS, TOPOLOGY_FIELDS, type DeviceProfile } from "./profile.js";

/** Where the shipped profiles live: `profiles/` at the package root (two folders up, in source and in dist). */
function profilesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "profiles");
    if (existsSync(join(candidate, "cpu.json"))) return candidate;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "profiles");
}

/** A profile that could not be loaded: the message is for a diagnostic (MG3010), never a throw. */
export interface ProfileError {
  readonly error: string;
}

export function isProfileError(p: DeviceProfile | ProfileError): p is ProfileError {
  return "error" in p;
}

const POSITIVE_FIELDS = [
  "fp32FlopsPerSecond",
  "memoryBytes",
  "memoryBandwidth",
  "linkBandwidth",
  "linkLatency",
] as const;

/**
 * Loads a shipped profile by name (`h100`) or a profile file by path (relative to `baseDir`, the `.model`
 * file's folder). A missing or malformed file comes back as an error value.
 */
export function loadProfile(nameOrPath: string, baseDir: string): DeviceProfile | ProfileError {
  const builtin = (BUILTIN_PROFILES as readonly string[]).includes(nameOrPath);
  const path = builtin
    ? join(profilesDir(), `${nameOrPath}.json`)
    : isAbsolute(nameOrPath)
      ? nameOrPath
      : resolve(baseDir, nameOrPath);
  if (!builtin && !existsSync(path)) {
    return {
      error: `no profile '${nameOrPath}': not one of ${BUILTIN_PROFILES.join(", ")} and no file ${path}`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { error: `profile ${path} is not valid JSON: ${(e as Error).message}` };
  }
  return validateProfile(parsed, path);
}

/** Checks a parsed profile's fields; the file name becomes the name when the file has none. */
export function validateProfile(value: unknown, path: string): DeviceProfile | ProfileError {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: `profile ${path} must be a JSON object` };
  }
  const o = value as Record<string, unknown>;
  for (const field of POSITIVE_FIELDS) {
    const v = o[field];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      return { error: `profile ${path}: '${field}' must be a positive number` };
    }
  }
  const rate = o.rate ?? "fp32";
  if (rate !== "fp32" && rate !== "tensor") {
    return { error: `profile ${path}: 'rate' must be "fp32" or "tensor"` };
  }
  const tensor = o.tensorFlopsPerSecond;
  if (tensor !== undefined && (typeof tensor !== "number" || !(tensor > 0))) {
    return { error: `profile ${path}: 'tensorFlopsPerSecond' must be a positive number` };
  }
  if (rate === "tensor" && tensor === undefined) {
    return { error: `profile ${path}: 'rate' is "tensor" but 'tensorFlopsPerSecond' is missing` };
  }
  const overheads: Partial<Record<(typeof OVERHEAD_FIELDS)[number], number>> = {};
  for (const field of OVERHEAD_FIELDS) {
    const v = o[field];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      return { error: `profile ${path}: '${field}' must be a non-negative number` };
    }
    // A ratio of compute together over compute alone: below 1 would make several devices faster than one each.
    if ((field === "concurrencySlowdown" || field === "concurrencyUpdateSlowdown") && v < 1) {
      return { error: `profile ${path}: '${field}' must be at least 1` };
    }
    overheads[field] = v;
  }
  const topology: Partial<Record<(typeof TOPOLOGY_FIELDS)[number], number>> = {};
  for (const field of TOPOLOGY_FIELDS) {
    const v = o[field];
    if (v === undefined) continue;
    const ok =
      typeof v === "number" &&
      Number.isFinite(v) &&
      (field === "devicesPerNode"
        ? Number.isInteger(v) && v >= 1
        : field === "interNodeLatency"
          ? v >= 0
          : v > 0);
    if (!ok) {
      const what =
        field === "devicesPerNode"
          ? "a positive integer"
          : field === "interNodeLatency"
            ? "a non-negative number"
            : "a positive number";
      return { error: `profile ${path}: '${field}' must be ${what}` };
    }
    topology[field] = v as number;
  }
  const fallbackName = path.replace(/^.*[\\/]/, "").replace(/\.json$/, "");
  return {
    name: typeof o.name === "string" && o.name !== "" ? o.name : fallbackName,
    source: typeof o.source === "string" ? o.source : "unknown",
    rate,
    fp32FlopsPerSecond: o.fp32FlopsPerSecond as number,
    ...(typeof tensor === "number" ? { tensorFlopsPerSecond: tensor } : {}),
    memoryBytes: o.memoryBytes as number,
    memoryBandwidth: o.memoryBandwidth as number,
    linkBandwidth: o.linkBandwidth as number,
    linkLatency: o.linkLatency as number,
    ...overheads,
    ...topology,
  };
}
