import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gather, type Layout } from "../../compiler/cost/redistribution.js";
import { divisors } from "../../compiler/cost/layer-config.js";

/** The definition `gather` counts in closed form: every device compares its want with every distinct piece. */
function gatherByDefinition(from: Layout, to: Layout, sameDevices: boolean) {
  const piece = (l: Layout, device: number) => {
    const batch = Math.floor(device / l.m);
    const channel = l.channels > 1 ? device % l.m : 0;
    return {
      b0: batch / l.d,
      b1: (batch + 1) / l.d,
      c0: channel / l.channels,
      c1: (channel + 1) / l.channels,
    };
  };
  type Piece = ReturnType<typeof piece>;
  const overlap = (a0: number, a1: number, b0: number, b1: number) =>
    Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  const area = (a: Piece, b: Piece) => overlap(a.b0, a.b1, b.b0, b.b1) * overlap(a.c0, a.c1, b.c0, b.c1);
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
    const have = own ? area(own, want) : 0;
    let peers = 0;
    for (const p of distinct) {
      if (area(p, want) <= 0) continue;
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

/** Every layout the cost model builds on up to `devices` devices: d × m, channels whole or split m ways. */
function layouts(devices: number): Layout[] {
  return divisors(devices).flatMap((g) =>
    divisors(g).flatMap((d) => {
      const m = g / d;
      return m > 1
        ? [
            { d, m, channels: 1 },
            { d, m, channels: m },
          ]
        : [{ d, m, channels: 1 }];
    }),
  );
}

describe("gather's closed form", () => {
  it("counts the same bytes and peers as comparing every device with every piece", () => {
    const counts = fc.constantFrom(1, 2, 3, 4, 6, 8, 12, 16, 24, 48, 64);
    fc.assert(
      fc.property(counts, counts, fc.nat(), fc.nat(), fc.boolean(), (n1, n2, i, j, same) => {
        const a = layouts(n1);
        const b = layouts(n2);
        const from = a[i % a.length]!;
        const to = b[j % b.length]!;
        expect(gather(from, to, same)).toEqual(gatherByDefinition(from, to, same));
      }),
      { numRuns: 2000 },
    );
  });

  it("is exact on every pair of 12-device layouts, where parts of 3 and 4 straddle each other", () => {
    for (const from of layouts(12))
      for (const to of layouts(12))
        for (const same of [true, false])
          expect(gather(from, to, same)).toEqual(gatherByDefinition(from, to, same));
  });
});
