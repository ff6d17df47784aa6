import { describe, expect, it } from "vitest";
import type { Graph } from "../../compiler/ir/graph.js";
import { compileExample } from "./compile.js";

function totals(graph: Graph) {
  let trainable = 0;
  let nonTrainable = 0;
  for (const n of graph.nodes) {
    trainable += n.params!.trainable;
    nonTrainable += n.params!.nonTrainable;
  }
  return { total: trainable + nonTrainable, nonTrainable };
}

const shapeOf = (graph: Graph, name: string) => graph.nodes.find((n) => n.name === name)?.outputShape;

/** Keras's own totals: the seed models, `applications.VGG16()` and `applications.ResNet50()`. */
describe("the examples against Keras", () => {
  for (const [file, total, nonTrainable] of [
    ["mnist.model", 101_770, 0],
    ["cnn.model", 693_962, 0],
    ["residual.model", 14_922, 192],
    ["vgg16.model", 138_357_544, 0],
    ["resnet50.model", 25_636_712, 53_120],
  ] as const)
    it(`${file}: ${total.toLocaleString("en-US")} parameters, ${nonTrainable} non-trainable, no diagnostics`, () => {
      const { diagnostics, graph } = compileExample(file);
      expect(diagnostics).toEqual([]);
      expect(totals(graph!)).toEqual({ total, nonTrainable });
    });

  it("cnn.model: Keras's per-layer shapes", () => {
    const graph = compileExample("cnn.model").graph!;
    expect(graph.nodes.map((n) => n.outputShape)).toEqual([
      [28, 28, 1],
      [26, 26, 32],
      [13, 13, 32],
      [5408],
      [128],
      [10],
    ]);
  });

  it("vgg16.model: Keras's block outputs and layer names", () => {
    const graph = compileExample("vgg16.model").graph!;
    expect(shapeOf(graph, "block1_conv2")).toEqual([224, 224, 64]);
    expect(shapeOf(graph, "block3_pool")).toEqual([28, 28, 256]);
    expect(shapeOf(graph, "block5_pool")).toEqual([7, 7, 512]);
    expect(shapeOf(graph, "flatten")).toEqual([25088]);
    expect(graph.nodes.find((n) => n.name === "fc1")!.params!.trainable).toBe(102_764_544);
    expect(graph.nodes).toHaveLength(23);
  });

  it("resnet50.model: Keras's stage outputs", () => {
    const graph = compileExample("resnet50.model").graph!;
    const relus = graph.nodes.filter((n) => n.op === "add").map((n) => n.outputShape);
    expect(relus).toHaveLength(16);
    expect(relus[0]).toEqual([56, 56, 256]);
    expect(relus[3]).toEqual([28, 28, 512]);
    expect(relus[7]).toEqual([14, 14, 1024]);
    expect(relus[13]).toEqual([7, 7, 2048]);
    expect(graph.nodes.filter((n) => n.op === "conv2d")).toHaveLength(53);
    expect(graph.nodes.filter((n) => n.op === "batchnorm")).toHaveLength(53);
    expect(graph.nodes[2]!.outputShape).toEqual([112, 112, 64]);
    expect(graph.nodes.find((n) => n.op === "maxpool2d")!.outputShape).toEqual([56, 56, 64]);
  });
});
