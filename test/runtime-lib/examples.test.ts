import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DiagnosticBag } from "../../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import type { Graph } from "../../compiler/ir/graph.js";
import { expandBlocks } from "../../compiler/passes/expand-blocks.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { parse } from "../../grammar/index.js";
import { buildModel, tfjsLayerName } from "../../runtime/model/index.js";

/** The front end up to shapes, as `compileSource` runs it, without planning. */
function compile(file: string): Graph {
  const source = new SourceFile(file, readFileSync(file, "utf8"));
  const diagnostics = new DiagnosticBag();
  const ctx = { diagnostics, source };
  const { ast, diagnostics: parseDiagnostics } = parse(source);
  expect(parseDiagnostics).toEqual([]);
  const model = expandBlocks(ast, ctx)[0]!;
  const graph = inferShapes(lower(model, ctx), ctx);
  expect(diagnostics.items.filter((d) => d.severity === "error")).toEqual([]);
  return graph;
}

// vgg16 and resnet50 build fine but allocate hundreds of MB of weights: too slow for a unit test.
describe.each(["mnist", "cnn", "residual"])("examples/%s.model", (name) => {
  it("builds a tfjs model with the IR's shapes and parameter counts", () => {
    const graph = compile(`examples/${name}.model`);
    const model = buildModel(graph);
    for (const node of graph.nodes) {
      const layer = model.getLayer(tfjsLayerName(node.name));
      expect(layer.outputShape, node.name).toEqual([null, ...node.outputShape!]);
      expect(layer.countParams(), node.name).toBe(node.params!.trainable + node.params!.nonTrainable);
    }
    const total = graph.nodes.reduce((n, node) => n + node.params!.trainable + node.params!.nonTrainable, 0);
    expect(model.countParams()).toBe(total);
    if (name === "cnn") expect(total).toBe(693_962);
    model.dispose();
  });
});
