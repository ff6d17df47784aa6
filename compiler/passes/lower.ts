import type { ExpandedLayer, ExpandedModel } from "../ir/expanded.js";
import type { Attrs, DType, Graph, IRNode } from "../ir/graph.js";
import { OPS } from "../ops/index.js";
import { checkArgs } from "./check-args.js";
import type { PassContext } from "../diagnostics/pass-context.js";

/**
 * ExpandedModel → Graph. Checks every layer's arguments against its op spec (at the argument's span) and
 * normalises them, so later passes and emitters read attrs with every Keras default filled in (see each op
 * file for its attrs). Input layers become `input` nodes with attrs `{ shape, dtype }`.
 */
export function lower(model: ExpandedModel, ctx: PassContext): Graph {
  const nodes: IRNode[] = [];
  for (const layer of model.layers) {
    const attrs = layer.op === "input" ? inputAttrs(layer) : layerAttrs(layer, ctx);
    const dtype: DType = layer.input?.dtype ?? "float32";
    nodes.push({
      id: layer.id,
      name: layer.name,
      op: layer.op,
      attrs,
      inputs: layer.inputs,
      dtype,
      hints: layer.hints,
      span: layer.span,
      callSites: layer.callSites,
    });
  }
  return { model: model.name, span: model.span, nodes, inputs: model.inputs, outputs: model.outputs };
}

function inputAttrs(layer: ExpandedLayer): Attrs {
  return { shape: layer.input?.shape ?? [], dtype: layer.input?.dtype ?? "float32" };
}

function layerAttrs(layer: ExpandedLayer, ctx: PassContext): Attrs {
  const spec = OPS.get(layer.op);
  // The front end reports unknown layers (with a did-you-mean); reporting again here would only add noise.
  if (!spec) return {};
  const notes = layer.callSites.map((span) => ({ message: "in block call here", span }));
  const count = layer.inputs.length;
  if (spec.tensorInputs === "one" ? count !== 1 : count < 2) {
    ctx.diagnostics.report(
      "MG2020",
      layer.span,
      [spec.name, spec.tensorInputs === "one" ? "exactly 1" : "at least 2", count],
      { notes },
    );
  }
  return checkArgs(layer.args, spec.args, spec.name, ctx, layer.span).values;
}
