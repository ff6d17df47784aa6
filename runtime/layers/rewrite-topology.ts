import "./sync-batch-normalization.js";
import "./counter-dropout.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const REPLICA_CLASSES: Readonly<Record<string, string>> = {
  BatchNormalization: "SyncBatchNormalization",
  Dropout: "CounterDropout",
};

/**
 * A model topology (the JSON of `model.toJSON()`) with every BatchNormalization made synchronous and every
 * Dropout counter-based, for training on replicas. Weights are unchanged in number and order.
 */
export function rewriteTopologyForReplicas<T>(topology: T): T {
  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(node)) out[key] = visit(value);
    const cls = out["class_name"];
    if (typeof cls === "string" && REPLICA_CLASSES[cls] !== undefined)
      out["class_name"] = REPLICA_CLASSES[cls];
    return out;
  };
  return visit(topology as Json) as T;
}
