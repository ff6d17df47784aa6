/**
 * How one layer's work is split over the `d · m` devices it runs on (devices `0 .. d·m−1` of its stage):
 * `d` ways along the batch, `m` ways along its split dimension (or replicated `m` ways when it has none).
 */
export interface LayerConfig {
  readonly d: number;
  readonly m: number;
}

/** Every (d, m) with d·m dividing `devices`: all devices first, data-heavy first, so ties favour plain data. */
export function enumerateConfigs(devices: number): LayerConfig[] {
  const configs: LayerConfig[] = [];
  for (let g = devices; g >= 1; g--) {
    if (devices % g !== 0) continue;
    for (let d = g; d >= 1; d--) if (g % d === 0) configs.push({ d, m: g / d });
  }
  return configs;
}

/** `data×8`, `model×8`, `d2×m4`; `data×1` for one device. */
export function configLabel(c: LayerConfig): string {
  if (c.m === 1) return `data×${c.d}`;
  if (c.d === 1) return `model×${c.m}`;
  return `d${c.d}×m${c.m}`;
}

/** The plan's `placement.kind`, from the degrees alone. */
export function configKind(c: LayerConfig): "data" | "model" | "hybrid" {
  if (c.m === 1) return "data";
  return c.d === 1 ? "model" : "hybrid";
}
