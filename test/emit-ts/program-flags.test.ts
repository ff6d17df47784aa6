import { describe, expect, it } from "vitest";
import { FlagError, parseDataSource, parseLoss } from "../../compiler/emit/typescript/index.js";

describe("parseDataSource", () => {
  it("reads every source form of LANGUAGE.md", () => {
    expect(parseDataSource("mnist")).toEqual({ kind: "mnist" });
    expect(parseDataSource('idx("train images.gz", "labels")')).toEqual({
      kind: "idx",
      images: "train images.gz",
      labels: "labels",
    });
    expect(parseDataSource("csv(data/train.csv, label: y)")).toEqual({
      kind: "csv",
      path: "data/train.csv",
      label: "y",
    });
    expect(parseDataSource("synthetic(samples: 64, classes: 3, shape: [4, 4, 1])")).toEqual({
      kind: "synthetic",
      samples: 64,
      classes: 3,
      shape: [4, 4, 1],
    });
  });

  it("keeps quotes, commas and backslashes inside JSON strings", () => {
    expect(parseDataSource('csv("a\\"b,c.csv")')).toEqual({ kind: "csv", path: 'a"b,c.csv', label: "label" });
  });

  it.each(["imagenet", "synthetic(samples: 0, classes: 2)", "idx(only-one)", "mnist(", "csv()"])(
    "rejects %j with a FlagError",
    (text) => {
      expect(() => parseDataSource(text)).toThrow(FlagError);
    },
  );
});

describe("parseLoss", () => {
  it("accepts the losses of LANGUAGE.md and nothing else", () => {
    expect(parseLoss("mse")).toBe("mse");
    expect(() => parseLoss("hinge")).toThrow(/unknown loss 'hinge'/);
  });
});
