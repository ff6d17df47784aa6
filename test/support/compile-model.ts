import type * as tf from "@tensorflow/tfjs";
import { SourceFile } from "../../compiler/diagnostics/index.js";
import { compileSource } from "../../compiler/pipeline.js";
import { buildModel, initializeWeights } from "../../runtime/model/index.js";

/** A `.model` text through the real compiler to the runtime's tfjs model, weights initialised from `seed`. */
export function compileModel(text: string, seed: number): tf.LayersModel {
  const result = compileSource(new SourceFile("test.model", text), { strategy: "data", devices: 1 });
  if (result.graph === undefined)
    throw new Error(`${text}\n${result.diagnostics.map((d) => d.message).join("\n")}`);
  const model = buildModel(result.graph);
  initializeWeights(model, seed);
  return model;
}
