import type { LayerConfig } from "./layer-config.js";
import { type DeviceProfile, linkFor } from "./profile.js";
import { type SplitKind, writesPartialSums } from "./split-kind.js";

/**
 * How a tensor lies on devices `0 .. d·m−1`: device i holds batch part ⌊i/m⌋ of d and, when `channels` > 1,
 * channel part (i mod m) of `channels`; otherwise all channels. `partial`: each device's rows are its share of
 * a sum over the m devices (row-parallel and head-split layers), which an all-reduce adds up.
 */
export interface Layout {
  readonly d: number;
  readonly m: number;
  readonly channels: number;
  readonly partial?: boolean;
}

/** Every device holds the whole tensor: an unsplittable layer with m > 1 runs replicated on the whole batch. */
function whole(c: LayerConfig): Layout {
  return { d: 1, m: c.d * c.m, channels: 1 };
}

/** The producer's output layout under its configuration. */
function produced(kind: SplitKind, c: LayerConfig): Layout {
  if (kind === "none" && c.m > 1) return whole(c);
  if (writesPartialSums(kind, c.m)) return { d: c.d, m: c.m, channels: 1, partial: true };
  return { d: c.d, m: c.m, channels: kind === "none" ? 1 : c.m };
}

/** What the consumer needs of its input: channel-wise and row-parallel layers need only their channel shard. */
function needed(kind: SplitKind, c: LayerConfig): Layout {
  if (kind === "none" && c.m > 1) return whole(c);
  return { d: c.d, m: c.m, channels: kind === "channel" || kind === "row" ? c.m : 1 };
}

/** A redistribution's cost in units of the tensor's global size: `fraction · S / B + steps · latency`. */
export interface RedistributionCoefficients {
  readonly fraction: number;
  readonly steps: number;
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/** How many of `from` equal parts of [0, 1) overlap part `i` of `to` equal parts (by more than a point). */
function partsOverlapping(i: number, to: number, from: number): number {
  // Part j of `from` overlaps when j/from < (i+1)/to and (j+1)/from > i/to: integer bounds, no rounding.
  const first = Math.floor((i * from) / to);
  const end = Math.floor(((i + 1) * from + to - 1) / to);
  return end - first;
}

/**
 * The slowest device's traffic when every device of `to` gathers its piece from `from`'s pieces: bytes it
 * lacks, and the number of distinct pieces (peers) it receives from. `sameDevices` false = a pipeline stage
 * boundary, where nothing is held locally. `from`'s distinct pieces are a grid of d batch parts × its channel
 * parts, so the pieces a device's want overlaps are counted per axis: O(devices), not O(devices²) (a 64-device
 * cost table asks this ~10⁵ times).
 */
export function gather(from: Layout, to: Layout, sameDevices: boolean): RedistributionCoefficients {
  const fromDevices = from.d * from.m;
  const fromChannels = from.channels > 1 ? from.channels : 1;
  const toChannels = to.channels > 1 ? to.channels : 1;
  let fraction = 0;
  let steps = 0;
  // Pieces as `piece` makes them, in plain numbers: this loop runs ~10⁶ times for a 64-device table.
  for (let i = 0; i < to.d * to.m; i++) {
    const batchPart = Math.floor(i / to.m);
    const channelPart = to.channels > 1 ? i % to.m : 0;
    const b0 = batchPart / to.d;
    const b1 = (batchPart + 1) / to.d;
    const c0 = channelPart / toChannels;
    const c1 = (channelPart + 1) / toChannels;
    const size = (b1 - b0) * (c1 - c0);
    let have = 0;
    if (sameDevices && i < fromDevices) {
      const ownBatch = Math.floor(i / from.m);
      const ownChannel = from.channels > 1 ? i % from.m : 0;
      have =
        overlap(ownBatch / from.d, (ownBatch + 1) / from.d, b0, b1) *
        overlap(ownChannel / fromChannels, (ownChannel + 1) / fromChannels, c0, c1);
    }
    if (size - have <= 1e-12) continue;
    let peers =
      partsOverlapping(batchPart, to.d, from.d) * partsOverlapping(channelPart, toChannels, fromChannels);
    // The device's own piece, when it overlaps, is not received from a peer.
    if (have > 0) peers--;
    fraction = Math.max(fraction, size - have);
    steps = Math.max(steps, peers);
  }
  return { fraction, steps };
}

const memo = new Map<string, RedistributionCoefficients>();

/**
 * The traffic on an edge from a producer to a consumer, forward (the consumer gathers its input) plus backward
 * (the producer gathers its output's gradient from the consumer's pieces), as coefficients of the tensor size.
 */
export function edgeCoefficients(
  producer: SplitKind,
  from: LayerConfig,
  consumer: SplitKind,
  to: LayerConfig,
  sameDevices = true,
): RedistributionCoefficients {
  const key = `${producer}${from.d},${from.m}>${consumer}${to.d},${to.m}${sameDevices ? "" : "x"}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const out = produced(producer, from);
  const need = needed(consumer, to);
  let result: RedistributionCoefficients;
  if (out.partial) {
    // The runtime adds the partial sums up once, an all-reduce over the producer's d·m devices (each holding
    // its rows, zero elsewhere), so every device holds the whole; the consumer then takes its piece of that.
    // Backward, the producer needs only its rows of the gradient.
    const n = out.d * out.m;
    const fwd = gather(whole(from), need, sameDevices);
    const bwd = gather(need, { d: out.d, m: out.m, channels: 1 }, sameDevices);
    result = {
      fraction: (2 * (n - 1)) / n + fwd.fraction + bwd.fraction,
      steps: 2 * (n - 1) + fwd.steps + bwd.steps,
    };
  } else {
    const fwd = gather(out, need, sameDevices);
    const bwd = gather(need, out, sameDevices);
    result = { fraction: fwd.fraction + bwd.fraction, steps: fwd.steps + bwd.steps };
  }
  memo.set(key, result);
  return result;
}

/** Seconds to move a tensor of `bytes` (global) with these coefficients among `span` consecutive devices. */
export function redistributionTime(
  coefficients: RedistributionCoefficients,
  bytes: number,
  profile: DeviceProfile,
  span = 1,
): number {
  if (coefficients.fraction === 0 || bytes <= 0) return 0;
  const link = linkFor(profile, span);
  return (coefficients.fraction * bytes) / link.bandwidth + coefficients.steps * link.latency;
}
