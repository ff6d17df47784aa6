import type { LayerConfig } from "./layer-config.js";
import { type DeviceProfile, linkFor } from "./profile.js";
import { type SplitKind, writesPartialSums } from "./split-kind.js";

/**
 * How a tensor lies on devices `0 .. d·m−1`: device i holds batch part ⌊i/m⌋ of d and, when `channels` > 1,
 * channel part (i mod m) of `channels`; otherwise all channels. `partial`: each device's rows are its share of
 * a sum over the m devices (row-parallel and head-split layers), which an all-reduce adds up.
 */
interface Layout {
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

interface Piece {
  readonly b0: number;
  readonly b1: number;
  readonly c0: number;
  readonly c1: number;
}

function piece(l: Layout, device: number): Piece {
  const batch = Math.floor(device / l.m);
  const channel = l.channels > 1 ? device % l.m : 0;
  return { b0: batch / l.d, b1: (batch + 1) / l.d, c0: channel / l.channels, c1: (channel + 1) / l.channels };
}

function pieceOverlap(a: Piece, b: Piece): number {
  return overlap(a.b0, a.b1, b.b0, b.b1) * overlap(a.c0, a.c1, b.c0, b.c1);
}

/**
 * The slowest device's traffic when every device of `to` gathers its piece from `from`'s pieces: bytes it
 * lacks, and the number of distinct pieces (peers) it receives from. `sameDevices` false = a pipeline stage
 * boundary, where nothing is held locally.
 */
function gather(from: Layout, to: Layout, sameDevices: boolean): RedistributionCoefficients {
  const fromDevices = from.d * from.m;
  const distinct: Piece[] = [];
  for (let i = 0; i < fromDevices; i++) {
    const p = piece(from, i);
    if (!distinct.some((q) => q.b0 === p.b0 && q.c0 === p.c0)) distinct.push(p);
  }
  let fraction = 0;
  let steps = 0;
  for (let i = 0; i < to.d * to.m; i++) {
    const want = piece(to, i);
    const size = (want.b1 - want.b0) * (want.c1 - want.c0);
    const own = sameDevices && i < fromDevices ? piece(from, i) : undefined;
    const have = own ? pieceOverlap(own, want) : 0;
    let peers = 0;
    for (const p of distinct) {
      if (pieceOverlap(p, want) <= 0) continue;
      if (own && have > 0 && p.b0 === own.b0 && p.c0 === own.c0) continue;
      peers++;
    }
    if (size - have > 1e-12) {
      fraction = Math.max(fraction, size - have);
      steps = Math.max(steps, peers);
    }
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
