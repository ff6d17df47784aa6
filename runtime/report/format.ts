/** `4102.3` → `4,102`: thousands separators without locale surprises (CI machines differ). */
export function groupThousands(value: number): string {
  const rounded = Math.round(value);
  const sign = rounded < 0 ? "-" : "";
  return (
    sign +
    Math.abs(rounded)
      .toString()
      .replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  );
}

/** Keras's duration style: `2s`, `1m 05s`, `850ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
}

/** ` - loss: 0.4213 - accuracy: 0.8801`, in the order given; non-finite values print as `nan`/`inf`. */
export function formatLogs(logs: Readonly<Record<string, number | null | undefined>>): string {
  let out = "";
  for (const [key, value] of Object.entries(logs)) {
    if (value === null || value === undefined) continue;
    out += ` - ${key}: ${Number.isFinite(value) ? value.toFixed(4) : String(value).toLowerCase()}`;
  }
  return out;
}

const BAR_WIDTH = 20;

/** Keras 3's bar: 20 cells, done cells `━`, the rest `─` (colour-free, so it survives logs and pipes). */
export function progressBar(done: number, total: number): string {
  const filled = total <= 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.floor((done / total) * BAR_WIDTH));
  return "━".repeat(filled) + "─".repeat(BAR_WIDTH - filled);
}
