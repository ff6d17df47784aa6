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
  for (const g of divisors(devices).reverse()) {
    for (const d of divisors(g).reverse()) configs.push({ d, m: g / d });
  }
  return configs;
}

/** The divisors of n, ascending. */
export function divisors(n: number): number[] {
  const low: number[] = [];
  const high: number[] = [];
  for (let i = 1; i * i <= n; i++) {
    if (n % i !== 0) continue;
    low.push(i);
    if (i * i !== n) high.unshift(n / i);
  }
  return [...low, ...high];
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
