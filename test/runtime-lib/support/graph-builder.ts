import type { Attrs, Graph, IRNode } from "../../../compiler/ir/graph.js";
import { DiagnosticBag } from "../../../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../../../compiler/diagnostics/span.js";
import { inferShapes } from "../../../compiler/passes/infer-shapes.js";

const span = { file: "test.model", start: 0, end: 0 };

/** Builds IR graphs by hand (normalised attrs, as `lower` gives them), then lets `inferShapes` fill shapes. */
export class GraphBuilder {
  private readonly nodes: IRNode[] = [];
  private readonly inputs: number[] = [];

  constructor(private readonly model: string) {}

  input(name: string, shape: number[], dtype: "float32" | "int32" = "float32"): number {
    const id = this.push(name, "input", { shape, dtype }, []);
    this.inputs.push(id);
    return id;
  }

  layer(name: string, op: string, attrs: Attrs, ...inputs: number[]): number {
    return this.push(name, op, attrs, inputs.length > 0 ? inputs : [this.nodes.length - 1]);
  }

  /** The graph with shapes inferred; throws if the shape rules reject it (a bug in the test). */
  build(outputs: number[] = [this.nodes.length - 1]): Graph {
    const graph: Graph = { model: this.model, span, nodes: this.nodes, inputs: this.inputs, outputs };
    const diagnostics = new DiagnosticBag();
    const inferred = inferShapes(graph, { diagnostics, source: new SourceFile("test.model", "") });
    if (diagnostics.items.length > 0)
      throw new Error(JSON.stringify(diagnostics.items.map((d) => d.message)));
    return inferred;
  }

  private push(name: string, op: string, attrs: Attrs, inputs: number[]): number {
    const id = this.nodes.length;
    const dtype = op === "input" && attrs["dtype"] === "int32" ? "int32" : "float32";
    this.nodes.push({ id, name, op, attrs, inputs, dtype, hints: [], span, callSites: [] });
    return id;
  }
}

/** The seed's MLP: input [28, 28] → flatten → dense(128, relu) → dense(10, softmax). */
export function mlpGraph(): Graph {
  const g = new GraphBuilder("Mnist");
  g.input("image", [28, 28, 1]);
  g.layer("flatten", "flatten", {});
  g.layer("dense", "dense", { units: 32, activation: "relu", use_bias: true });
  g.layer("dense_1", "dense", { units: 10, activation: "softmax", use_bias: true });
  return g.build();
}
