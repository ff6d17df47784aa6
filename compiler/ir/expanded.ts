import type { Span } from "../diagnostics/span.js";
import type { Args, Value } from "./values.js";

/**
 * The front end's output and `lower`'s input: one model with blocks and `repeat` unrolled, names resolved, and
 * every layer call's tensor inputs turned into references to earlier layers. Nothing here is checked against
 * the op table's argument schemas yet: that is `lower`'s job.
 */
export interface ExpandedModel {
  readonly name: string;
  readonly span: Span;
  /** In program order, which is a topological order; `layers[i].id === i`. */
  readonly layers: readonly ExpandedLayer[];
  /** Ids of the `input` layers, in declaration order. */
  readonly inputs: readonly number[];
  /** Ids of the output layers (`output a, b`, else the last statement's result). */
  readonly outputs: readonly number[];
  readonly train?: Section;
  readonly parallel?: Section;
}

export interface ExpandedLayer {
  readonly id: number;
  /**
   * Unique, Keras-style: the op name, suffixed `_1`, `_2`... on repeats (`dense`, `dense_1`), prefixed with the
   * block call path for layers inside blocks (`residual/conv2d`, `residual_1/conv2d`). A `name = ...` binding
   * of a single-layer chain names that layer.
   */
  readonly name: string;
  /** The layer as written in LANGUAGE.md's table (`dense`, `conv2d`, `add`, ...), or `input`. */
  readonly op: string;
  /** Non-tensor arguments; tensor arguments of multi-input layers (`add(h, x)`) are in `inputs`. */
  readonly args: Args;
  /** Ids of the layers whose outputs feed this one, in order. Empty for `input`. */
  readonly inputs: readonly number[];
  readonly hints: readonly Hint[];
  /** The call's span (name through closing parenthesis). */
  readonly span: Span;
  /** Block call sites containing this layer, innermost first; empty at model level. */
  readonly callSites: readonly Span[];
  /** For `input` layers only. */
  readonly input?: InputDeclaration;
}

export interface InputDeclaration {
  readonly name: string;
  readonly dtype: "float32" | "int32";
  /** Per sample, no batch axis; every dimension >= 1 (the front end checks it). */
  readonly shape: readonly number[];
  readonly shapeSpan: Span;
}

/** `@data`, `@model`, `@stage(N)`, `@devices(N)`. */
export interface Hint {
  readonly kind: "data" | "model" | "stage" | "devices";
  readonly value?: number;
  readonly span: Span;
  /** Set when the hint was written after a block call (every layer inside inherits it): the block's name. */
  readonly onBlock?: string;
}

/** A `train` or `parallel` section: keys as written (the front end rejects unknown and duplicate keys). */
export interface Section {
  readonly span: Span;
  readonly entries: readonly SectionEntry[];
}

export interface SectionEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: Value;
}
