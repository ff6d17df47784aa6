import type { DeviceProfile } from "./profile.js";

/**
 * E[max of n independent standard normals] for n = 1..8 (Tippett's table); √(2 ln n) beyond, its large-n limit
 * (within ~15% at n = 16). Synchronised devices wait for the slowest: with a device's compute time μ ± σ, the
 * group takes about μ + σ · this.
 */
const EXPECTED_MAX = [0, 0, 0.5642, 0.8463, 1.0294, 1.163, 1.2672, 1.3522, 1.4236];

export function expectedMaxOfNormals(n: number): number {
  if (n <= 1) return 0;
  return EXPECTED_MAX[n] ?? Math.sqrt(2 * Math.log(n));
}

/** What synchronising `devices` devices multiplies their compute by, with `jitter` = σ/μ of one device's time. */
export function stragglerFactor(jitter: number, devices: number): number {
  return 1 + jitter * expectedMaxOfNormals(devices);
}

/**
 * What a group of `devices` devices computing the same step multiplies each one's forward + backward
 * (`compute`) and optimizer update (`update`) by: slower together on shared hardware (the profile's
 * concurrency slowdowns), then waiting for the slowest (`computeJitter`). One device: 1 and 1.
 */
export function groupComputeFactors(
  profile: DeviceProfile,
  devices: number,
): { readonly compute: number; readonly update: number } {
  if (devices <= 1) return { compute: 1, update: 1 };
  const straggler = stragglerFactor(profile.computeJitter ?? 0, devices);
  return {
    compute: (profile.concurrencySlowdown ?? 1) * straggler,
    update: (profile.concurrencyUpdateSlowdown ?? 1) * straggler,
  };
}
