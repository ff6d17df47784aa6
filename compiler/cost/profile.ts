/** A device the cost model plans for, in SI base units (FLOP/s, bytes, bytes/s, seconds). See profiles/README.md. */
export interface DeviceProfile {
  readonly name: string;
  readonly source: string;
  /** Which rate the cost model uses: float32, or the tensor-core rate for a mixed-precision runtime. */
  readonly rate: "fp32" | "tensor";
  readonly fp32FlopsPerSecond: number;
  readonly tensorFlopsPerSecond?: number;
  readonly memoryBytes: number;
  readonly memoryBandwidth: number;
  /** One direction of one link: `B` in the ring collective formulas. */
  readonly linkBandwidth: number;
  /** Seconds per collective step. */
  readonly linkLatency: number;
}

/** The compute rate the roofline uses. */
export function computeRate(profile: DeviceProfile): number {
  return profile.rate === "tensor" && profile.tensorFlopsPerSecond !== undefined
    ? profile.tensorFlopsPerSecond
    : profile.fp32FlopsPerSecond;
}

/** Profiles shipped in `profiles/`, by name. */
export const BUILTIN_PROFILES = ["h100", "a100", "v100", "cpu"] as const;
