import { type DeviceProfile, linkFor } from "./profile.js";

/**
 * Ring all-reduce of `bytes` over `ranks` devices: 2(N−1)/N · S/B + (N−1) · latency (ARCHITECTURE.md), on the
 * link a group spanning `span` consecutive devices uses (a data-parallel group of a d × m grid spans d·m).
 */
export function allReduceTime(bytes: number, ranks: number, profile: DeviceProfile, span = ranks): number {
  if (ranks <= 1 || bytes <= 0) return 0;
  const link = linkFor(profile, span);
  return ((2 * (ranks - 1)) / ranks) * (bytes / link.bandwidth) + (ranks - 1) * link.latency;
}

/** Ring all-gather or reduce-scatter of a `bytes`-sized result: (N−1)/N · S/B + (N−1) · latency. */
export function allGatherTime(bytes: number, ranks: number, profile: DeviceProfile, span = ranks): number {
  if (ranks <= 1 || bytes <= 0) return 0;
  const link = linkFor(profile, span);
  return ((ranks - 1) / ranks) * (bytes / link.bandwidth) + (ranks - 1) * link.latency;
}

export const reduceScatterTime = allGatherTime;
