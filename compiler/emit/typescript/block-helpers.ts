import { consumers, type Graph, type IRNode } from "../../ir/graph.js";
import { IdentifierScope, PROGRAM_NAMES } from "./identifiers.js";
import type { LiteralValue } from "./literals.js";
import { layerCall, tfjsLayerName, type LayerCall } from "./tfjs-layers.js";

/** An input of a layer inside a block call: an earlier layer of the same call, or the call's n-th tensor. */
export type Ref = { readonly local: number } | { readonly arg: number };

/** One call of a block, as the IR records it: contiguous layers named `<prefix>/...`. */
export interface BlockInstance {
  readonly prefix: string;
  readonly nodes: readonly IRNode[];
  /** Producer node ids outside the call, in order of first use: the call's tensor arguments. */
  readonly args: readonly number[];
  readonly output: IRNode;
}

export interface BlockParam {
  readonly name: string;
  readonly type: string;
  /** The argument of each call, in `instances` order. */
  readonly values: readonly LiteralValue[];
}

export interface TemplateLayer {
  /** The layer's tfjs name after `<prefix>__`. */
  readonly tail: string;
  readonly op: string;
  readonly variable: string;
  readonly call: LayerCall;
  /** Config keys whose value is a parameter, and which. */
  readonly varying: ReadonlyMap<string, string>;
  readonly inputs: readonly Ref[];
}

export interface BlockHelper {
  /** The block's name as the layer names show it (`residual`); `functionName` is it made a safe identifier. */
  readonly blockName: string;
  readonly functionName: string;
  readonly tensorParams: readonly string[];
  readonly params: readonly BlockParam[];
  readonly layers: readonly TemplateLayer[];
  readonly instances: readonly BlockInstance[];
}

/** Where each block call starts (its first node id), and which helper builds it. */
export type BlockCalls = ReadonlyMap<number, { readonly helper: BlockHelper; readonly index: number }>;

const TAIL = /^[A-Za-z0-9_.-]+$/;

/**
 * Blocks called more than once become helper functions (`function residual(prefix, x, filters)`), which reads
 * far better than the unrolled layers. The IR has no blocks any more, so calls are recovered from layer names
 * and call sites, and a helper is made only when every call has the same layers and wiring, one output, and
 * layer names that the helper can rebuild exactly from its prefix; anything else stays unrolled.
 */
export function planBlockHelpers(graph: Graph, helperNames: IdentifierScope): BlockCalls {
  const groups = new Map<string, { instance: BlockInstance; shape: Shape }[]>();
  for (const instance of blockInstances(graph)) {
    const shape = shapeOf(instance);
    if (!shape) continue;
    const key = `${instance.prefix.replace(/_\d+$/, "")}\u0000${shape.signature}`;
    groups.set(key, [...(groups.get(key) ?? []), { instance, shape }]);
  }
  const calls = new Map<number, { helper: BlockHelper; index: number }>();
  for (const [key, members] of groups) {
    if (members.length < 2) continue;
    const helper = makeHelper(key.slice(0, key.indexOf("\u0000")), members, helperNames);
    if (!helper) continue;
    helper.instances.forEach((instance, index) => calls.set(instance.nodes[0]!.id, { helper, index }));
  }
  return calls;
}

function blockInstances(graph: Graph): BlockInstance[] {
  const usedBy = consumers(graph);
  const runs: IRNode[][] = [];
  let previous: string | undefined;
  for (const node of graph.nodes) {
    const slash = node.name.indexOf("/");
    const outer = node.callSites[node.callSites.length - 1];
    const prefix = slash > 0 && outer ? node.name.slice(0, slash) : undefined;
    const key = prefix === undefined ? undefined : `${prefix}@${outer!.start}`;
    if (key !== undefined && key === previous) runs[runs.length - 1]!.push(node);
    else if (key !== undefined) runs.push([node]);
    previous = key;
  }
  const instances: BlockInstance[] = [];
  for (const nodes of runs) {
    const ids = new Set(nodes.map((n) => n.id));
    const escaping = nodes.filter(
      (n) => graph.outputs.includes(n.id) || usedBy[n.id]!.some((consumer) => !ids.has(consumer)),
    );
    if (escaping.length !== 1) continue;
    const args: number[] = [];
    for (const n of nodes) for (const id of n.inputs) if (!ids.has(id) && !args.includes(id)) args.push(id);
    const prefix = nodes[0]!.name.slice(0, nodes[0]!.name.indexOf("/"));
    instances.push({ prefix, nodes, args, output: escaping[0]! });
  }
  return instances;
}

interface Shape {
  readonly signature: string;
  readonly tails: readonly string[];
  readonly calls: readonly LayerCall[];
  readonly refs: readonly Ref[][];
}

function shapeOf(instance: BlockInstance): Shape | undefined {
  const head = `${tfjsLayerName(instance.prefix)}__`;
  const tails: string[] = [];
  for (const node of instance.nodes) {
    const name = tfjsLayerName(node.name);
    const tail = name.slice(head.length);
    if (!name.startsWith(head) || !TAIL.test(tail)) return undefined;
    tails.push(tail);
  }
  const index = new Map(instance.nodes.map((n, i) => [n.id, i]));
  const refs = instance.nodes.map((n) =>
    n.inputs.map((id): Ref =>
      index.has(id) ? { local: index.get(id)! } : { arg: instance.args.indexOf(id) },
    ),
  );
  const calls = instance.nodes.map((n) => layerCall(n));
  const signature = JSON.stringify([
    tails,
    instance.nodes.map((n) => n.op),
    calls.map((c) => [c.factory, c.keys]),
    refs,
    index.get(instance.output.id),
  ]);
  return { signature, tails, calls, refs };
}

function makeHelper(
  blockName: string,
  members: readonly { instance: BlockInstance; shape: Shape }[],
  helperNames: IdentifierScope,
): BlockHelper | undefined {
  const first = members[0]!.shape;
  const locals = new IdentifierScope([...PROGRAM_NAMES, "prefix"]);
  const tensorParams = members[0]!.instance.args.map(() => locals.claim("x"));
  const params: BlockParam[] = [];
  const layers: TemplateLayer[] = [];
  for (let i = 0; i < first.calls.length; i++) {
    const varying = new Map<string, string>();
    for (const key of first.calls[i]!.keys) {
      const values = members.map(({ shape }) => valueOf(shape.calls[i]!, key));
      const shown = values.map((v) => JSON.stringify(v));
      if (shown.every((v) => v === shown[0])) continue;
      let param = params.find(
        (p) => JSON.stringify(p.values.map((v) => JSON.stringify(v))) === JSON.stringify(shown),
      );
      if (!param) {
        const type = typeOfValues(values);
        if (type === undefined) return undefined;
        param = { name: locals.claimNumbered(key), type, values };
        params.push(param);
      }
      varying.set(key, param.name);
    }
    const op = members[0]!.instance.nodes[i]!.op;
    layers.push({
      tail: first.tails[i]!,
      op,
      variable: "",
      call: first.calls[i]!,
      varying,
      inputs: first.refs[i]!,
    });
  }
  const named = layers.map((layer) => ({ ...layer, variable: locals.claim(layer.tail) }));
  return {
    blockName,
    functionName: helperNames.claim(blockName),
    tensorParams,
    params,
    layers: named,
    instances: members.map((m) => m.instance),
  };
}

function valueOf(call: LayerCall, key: string): LiteralValue {
  return call.config[key] ?? call.omitted[key] ?? null;
}

/** A TypeScript type for a parameter: `number`, a union of string literals, or `[number, number]` pairs. */
function typeOfValues(values: readonly LiteralValue[]): string | undefined {
  const types = new Set<string>();
  for (const value of values) {
    if (typeof value === "number") types.add("number");
    else if (typeof value === "boolean") types.add("boolean");
    else if (typeof value === "string") types.add(JSON.stringify(value));
    else if (Array.isArray(value) && value.every((v) => typeof v === "number"))
      types.add(`[${value.map(() => "number").join(", ")}]`);
    else return undefined;
  }
  return [...types].sort().join(" | ");
}
