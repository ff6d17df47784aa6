import type { Graph } from "../ir/graph.js";
import { withCommas } from "../diagnostics/with-commas.js";
import { layerLayout, nodeLayoutInput, shardingOf } from "../plan/layer-layout.js";
import { shardedWidth } from "../ops/index.js";

const count = withCommas;

/**
 * How a layer with model degree m > 1 lies on its model group, in Megatron-LM's words, for `explain`'s why
 * column ("3 whole heads per device; output projection row-parallel"); undefined when m = 1. Uneven cuts name
 * the largest shard.
 */
export function layoutPhrase(graph: Graph, v: number, config: { d: number; m: number }): string | undefined {
  if (config.m <= 1) return undefined;
  const node = graph.nodes[v]!;
  const { mode } = layerLayout(nodeLayoutInput(graph, v, config));
  const rule = shardingOf(node.op);
  const share = (n: number) => Math.ceil(n / config.m);
  switch (mode) {
    case "column": {
      const width = node.outputShape?.at(-1) ?? 0;
      const what = rule.kind === "column" && rule.axis === "channels" ? "filters" : "units";
      return `column-parallel: ${count(share(width))} of ${count(width)} ${what} per device`;
    }
    case "row": {
      const inputs = graph.nodes[node.inputs[0]!]?.outputShape?.at(-1) ?? 0;
      return `row-parallel: partial sums of ${count(share(inputs))} of ${count(inputs)} inputs, all-reduced`;
    }
    case "heads": {
      const heads = Number(shardedWidth(node));
      const each = heads / config.m;
      return `${each} whole head${each === 1 ? "" : "s"} per device; output projection row-parallel, all-reduced`;
    }
    case "vocabulary": {
      const rows = Number(shardedWidth(node));
      return `vocabulary split: each device looks up its ${count(share(rows))} of ${count(rows)} rows, all-reduced`;
    }
    case "channelwise":
      return "on its input's channel block";
    case "replicated":
      return "replicated inside the model group";
  }
}
