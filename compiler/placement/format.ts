/** Bytes for people: decimal units, as datasheets and `explain` use them (411 MB, 7 KB, 1.2 GB). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = v >= 100 || u === 0 ? 0 : v >= 10 ? 0 : 1;
  return `${v.toFixed(digits)} ${units[u]}`;
}

/** Milliseconds for people: 3 significant digits, at least 2 decimals below 1 ms. */
export function formatMs(ms: number): string {
  if (ms === 0) return "0 ms";
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 0.01) return `${ms.toFixed(2)} ms`;
  return `${ms.toPrecision(2)} ms`;
}

/** A number rounded to 6 significant digits, so plans stay short and stable across platforms' last bits. */
export function round6(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(6));
}
