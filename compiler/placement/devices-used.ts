import type { Placement } from "./placement-types.js";

/**
 * How many devices a placement's layers run on. Every layer's group starts at device 0 (a pipeline stage at
 * its stage's first device), so they are devices 0 … used − 1.
 */
export function devicesUsed(p: Placement): number {
  let last = 0;
  for (const layer of p.layers) for (const d of layer.devices) if (d > last) last = d;
  return last + 1;
}

/**
 * `auto`'s placement on only the devices it uses. The search prices every layer on every group of the allowed
 * devices, so a plan whose layers all keep to fewer devices is one where spreading further was predicted
 * slower: communication exceeds the compute saved. A run then starts only those devices (`devices: N` is the
 * most `auto` may use). `allAllowed`: the best step predicted with every allowed device busy, for `explain`.
 */
export function onDevicesUsed(p: Placement, allAllowed: () => number | null): Placement {
  const used = devicesUsed(p);
  if (used >= p.devices) return p;
  return {
    ...p,
    devices: used,
    stageDevices: p.stages > 1 ? p.stageDevices : used,
    memoryPerDevice: p.memoryPerDevice.slice(0, used),
    allowed: { devices: p.devices, stepTime: allAllowed() },
  };
}
