import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "../../compiler/diagnostics/suggest.js";

describe("did-you-mean hints", () => {
  it("counts insertions, deletions, substitutions and neighbouring swaps as one edit each", () => {
    expect(editDistance("dens", "dense")).toBe(1);
    expect(editDistance("kernal", "kernel")).toBe(1);
    expect(editDistance("adma", "adam")).toBe(1);
    expect(editDistance("mnsit", "mnist")).toBe(1);
    expect(editDistance("abc", "xyz")).toBe(3);
    expect(editDistance("", "relu")).toBe(4);
  });

  it("suggests the closest known name, and nothing when none is close", () => {
    const layers = ["dense", "conv2d", "dropout", "relu", "flatten"];
    expect(didYouMean("dens", layers)).toBe("did you mean 'dense'?");
    expect(didYouMean("Dense", layers)).toBe("did you mean 'dense'?");
    expect(didYouMean("adma", ["adam", "sgd"])).toBe("did you mean 'adam'?");
    expect(didYouMean("transformer", layers)).toBeUndefined();
  });
});
