import type { DeviceProfile } from "./profile.js";

/** Ring all-reduce of `bytes` over `ranks` devices: 2(N−1)/N · S/B + (N−1) · latency (ARCHITECTURE.md). */
export function allReduceTime(bytes: number, ranks: number, profile: DeviceProfile): number {
  if (ranks <= 1 || bytes <= 0) return 0;
  return ((2 * (ranks - 1)) / ranks) * (bytes / profile.linkBandwidth) + (ranks - 1) * profile.linkLatency;
}

/** Ring all-gather or reduce-scatter of a `bytes`-sized result: (N−1)/N · S/B + (N−1) · latency. */
export function allGatherTime(bytes: number, ranks: number, profile: DeviceProfile): number {
  if (ranks <= 1 || bytes <= 0) return 0;
  return ((ranks - 1) / ranks) * (bytes / profile.linkBandwidth) + (ranks - 1) * profile.linkLatency;
}

export const reduceScatterTime = allGatherTime;
