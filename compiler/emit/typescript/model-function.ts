import type { CodeBlockWriter } from "ts-morph";
import type { Graph, IRNode } from "../../ir/graph.js";
import { inputAttrsOf } from "../../ir/input-attrs.js";
import { commentText } from "./comments.js";
import type { BlockCalls, BlockHelper } from "./block-helpers.js";
import { IdentifierScope, PROGRAM_NAMES } from "./identifiers.js";
import { literal, propertyKey, type LiteralValue } from "./literals.js";
import { layerCall, tfjsLayerName } from "./tfjs-layers.js";

const MULTI_INPUT = new Set(["add", "multiply", "concat"]);

/**
 * A chain (one float input, every layer fed by the one before, one output) reads best as `tf.sequential`;
 * anything with branches, several inputs or outputs, or int32 token inputs uses the functional API. (A
 * sequential model would give an int32 dtype to its first layer's weights too, not only to its input.)
 */
export function isChain(graph: Graph): boolean {
  const [first, ...rest] = graph.nodes;
  if (!first || first.op !== "input" || first.dtype !== "float32" || rest.length === 0) return false;
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1 || graph.outputs[0] !== rest.length)
    return false;
  return rest.every(
    (node) => !MULTI_INPUT.has(node.op) && node.inputs.length === 1 && node.inputs[0] === node.id - 1,
  );
}

/** The statements of `buildModel()`: layer names exactly as the runtime's `buildModel` names them. */
export function writeModelBody(writer: CodeBlockWriter, graph: Graph, blocks: BlockCalls = new Map()): void {
  if (isChain(graph)) writeSequential(writer, graph);
  else writeFunctional(writer, graph, blocks);
}

function writeSequential(writer: CodeBlockWriter, graph: Graph): void {
  const [input, ...layers] = graph.nodes as [IRNode, ...IRNode[]];
  writer.writeLine(`const model = tf.sequential(${literal({ name: graph.model })});`);
  layers.forEach((node, i) => {
    writeBlockComment(writer, node, layers[i - 1]);
    const { make, config } = layerCall(node);
    const first: Record<string, LiteralValue> = i === 0 ? { inputShape: [...shapeOf(input)] } : {};
    writer.writeLine(
      `model.add(${make}(${literal({ name: tfjsLayerName(node.name), ...first, ...config })}));`,
    );
  });
  writer.writeLine("return model;");
}

function writeFunctional(writer: CodeBlockWriter, graph: Graph, blocks: BlockCalls): void {
  const helpers = new Set([...blocks.values()].map((b) => b.helper.functionName));
  const scope = new IdentifierScope([...PROGRAM_NAMES, ...helpers]);
  const vars: string[] = [];
  // Layers inside a block call made by a helper: skipped here, the call's output stands for them.
  const insideCall = new Set<number>();
  graph.nodes.forEach((node, i) => {
    if (insideCall.has(node.id)) return;
    const block = blocks.get(node.id);
    if (block) {
      const { helper, index } = block;
      const instance = helper.instances[index]!;
      const name = scope.claim(`${instance.prefix}_out`);
      for (const n of instance.nodes) if (n.id !== node.id) insideCall.add(n.id);
      vars[instance.output.id] = name;
      const args = [
        literal(tfjsLayerName(instance.prefix)),
        ...instance.args.map((id) => vars[id]!),
        ...helper.params.map((p) => literal(p.values[index]!)),
      ];
      writer.writeLine(`const ${name} = ${helper.functionName}(${args.join(", ")});`);
      return;
    }
    const name = scope.claim(node.name);
    vars[node.id] = name;
    if (node.op === "input") {
      const dtype = node.dtype === "float32" ? undefined : node.dtype;
      writer.writeLine(
        `const ${name} = tf.input(${literal({ name: tfjsLayerName(node.name), shape: [...shapeOf(node)], dtype })});`,
      );
      return;
    }
    writeBlockComment(writer, node, graph.nodes[i - 1]);
    const { make, config } = layerCall(node);
    const args = node.inputs.map((id) => vars[id]!);
    const applied = node.inputs.length === 1 && !MULTI_INPUT.has(node.op) ? args[0]! : `[${args.join(", ")}]`;
    writer.writeLine(
      `const ${name} = ${make}(${literal({ name: tfjsLayerName(node.name), ...config })}).apply(${applied}) as tf.SymbolicTensor;`,
    );
  });
  const list = (ids: readonly number[]) =>
    ids.length === 1 ? vars[ids[0]!]! : `[${ids.map((id) => vars[id]!).join(", ")}]`;
  writer.writeLine(
    `return tf.model({ name: ${literal(graph.model)}, inputs: ${list(graph.inputs)}, outputs: ${list(graph.outputs)} });`,
  );
}

/** An input node's declared shape. */
function shapeOf(node: IRNode): readonly number[] {
  return inputAttrsOf(node).shape;
}

/** A blank line and the block call's name where a block's layers start (`residual_1/conv2d` → `// residual_1`). */
function writeBlockComment(writer: CodeBlockWriter, node: IRNode, previous: IRNode | undefined): void {
  const block = blockOf(node);
  if (block === undefined || block === (previous && blockOf(previous))) return;
  writer.blankLineIfLastNot();
  writer.writeLine(`// ${commentText(block)}`);
}

function blockOf(node: IRNode): string | undefined {
  const slash = node.name.indexOf("/");
  return node.callSites.length > 0 && slash > 0 ? node.name.slice(0, slash) : undefined;
}

/** A block helper's body: its layers, named `<prefix>__<tail>` exactly as the runtime names a call's layers. */
export function writeBlockHelperBody(writer: CodeBlockWriter, helper: BlockHelper): void {
  for (const layer of helper.layers) {
    const fields = [`name: \`\${prefix}__${layer.tail}\``];
    for (const key of layer.call.keys) {
      const param = layer.varying.get(key);
      if (param !== undefined) fields.push(param === key ? key : `${propertyKey(key)}: ${param}`);
      else if (key in layer.call.config)
        fields.push(`${propertyKey(key)}: ${literal(layer.call.config[key]!)}`);
    }
    const inputs = layer.inputs.map((ref) =>
      "local" in ref ? helper.layers[ref.local]!.variable : helper.tensorParams[ref.arg]!,
    );
    const applied = inputs.length === 1 && !MULTI_INPUT.has(layer.op) ? inputs[0]! : `[${inputs.join(", ")}]`;
    writer.writeLine(
      `const ${layer.variable} = ${layer.call.make}({ ${fields.join(", ")} }).apply(${applied}) as tf.SymbolicTensor;`,
    );
  }
  const output = helper.instances[0]!.output;
  const index = helper.instances[0]!.nodes.indexOf(output);
  writer.writeLine(`return ${helper.layers[index]!.variable};`);
}
