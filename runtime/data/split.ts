import { validationWindows } from "../../compiler/data-formats/text-format.js";
import { CounterRandom } from "./counter-random.js";
import { gatherBatch } from "./batch.js";
import { DataError } from "./data-error.js";
import type { Dataset } from "./dataset.js";

/** A deterministic permutation of 0..n-1 (Fisher–Yates on counter-based draws). */
export function permutation(n: number, random: CounterRandom): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.below(i, i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** The order samples are visited in during `epoch` (0- or 1-based, as the caller counts): same on every device. */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  return permutation(count, new CounterRandom(seed, `epoch/${epoch}`));
}

/** The samples at `indices`; the description stays the source's, since the banner counts train/validation. */
function subset(ds: Dataset, indices: readonly number[]): Dataset {
  const batch = gatherBatch(ds, indices);
  return { ...ds, x: batch.x, y: batch.y, count: batch.count };
}

/**
 * Holds out round(fraction × count) samples for validation: the last ones for windows of a text (its end),
 * otherwise stratified by class (each class gives its share,
 * the rounding remainders going to the classes with the largest fractional parts), chosen by the seed. Both
 * parts keep the data set's original order.
 */
export function splitValidation(
  ds: Dataset,
  fraction: number,
  seed: number,
): { train: Dataset; validation: Dataset } {
  if (!(fraction >= 0 && fraction < 1))
    throw new DataError(`validation fraction must be in [0, 1), got ${fraction}`);
  if (ds.validationFromEnd === true) {
    const cut = ds.count - validationWindows(ds.count, fraction);
    const all = Array.from({ length: ds.count }, (_, i) => i);
    return { train: subset(ds, all.slice(0, cut)), validation: subset(ds, all.slice(cut)) };
  }
  const groups = new Map<number, number[]>();
  const classes = ds.y instanceof Int32Array && ds.numClasses > 0;
  for (let i = 0; i < ds.count; i++) {
    const key = classes ? ds.y[i]! : 0;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(i);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const exact = keys.map((k) => groups.get(k)!.length * fraction);
  const take = exact.map(Math.floor);
  let missing = Math.round(ds.count * fraction) - take.reduce((a, b) => a + b, 0);
  const byRemainder = keys
    .map((_k, i) => i)
    .sort((a, b) => exact[b]! - take[b]! - (exact[a]! - take[a]!) || a - b);
  for (const i of byRemainder) {
    if (missing <= 0) break;
    take[i]!++;
    missing--;
  }
  const held = new Uint8Array(ds.count);
  keys.forEach((key, k) => {
    const members = groups.get(key)!;
    const order = permutation(members.length, new CounterRandom(seed, `validation/${key}`));
    for (let i = 0; i < take[k]!; i++) held[members[order[i]!]!] = 1;
  });
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < ds.count; i++) (held[i] === 1 ? validation : train).push(i);
  return { train: subset(ds, train), validation: subset(ds, validation) };
}
