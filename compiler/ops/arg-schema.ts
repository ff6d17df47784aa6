import type { AttrValue } from "../ir/graph.js";

/** One argument of a layer: its name, the kind of value it takes, and its Keras default. */
export interface ArgSchema {
  readonly name: string;
  readonly required: boolean;
  readonly default?: AttrValue;
}
