import type { AttrValue } from "../ir/graph.js";
import type { ArgValue } from "./arg-values.js";

/** The activations `activation:` accepts (LANGUAGE.md). */
export const ACTIVATIONS = ["relu", "relu6", "sigmoid", "tanh", "softmax", "gelu", "linear"] as const;

/**
 * The kind of value an argument takes. `lower` checks written values against it and normalises them:
 * `pair` becomes `[h, w]`, `padding2d` becomes `[[top, bottom], [left, right]]`, enums become strings.
 * `arg-values.ts` gives the TypeScript type of each kind's normalised value.
 */
export type ArgType =
  | { readonly kind: "int"; readonly min?: number; readonly max?: number }
  | {
      readonly kind: "float";
      readonly min?: number;
      readonly max?: number;
      /** The upper bound itself is not allowed (dropout's rate < 1). */
      readonly maxExclusive?: boolean;
      readonly minExclusive?: boolean;
    }
  | { readonly kind: "bool" }
  | { readonly kind: "string" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  /** An int or an `[h, w]` list of ints, each at least `min` (Keras's `kernel_size`, `strides`, `pool_size`). */
  | { readonly kind: "pair"; readonly min: number }
  /** A list of ints >= 1; one entry may be -1 when `allowInfer` (Keras's `Reshape`). */
  | { readonly kind: "shape"; readonly allowInfer?: boolean }
  /** An int, `[h, w]` or `[[top, bottom], [left, right]]`, all >= 0 (Keras's `ZeroPadding2D`). */
  | { readonly kind: "padding2d" };

/**
 * One argument of a layer: its name, the kind of value it takes, and its Keras default. Generic in the name and
 * the type, so that a spec built with the `arg` shorthands keeps both as literals and `OpAttrs` can derive each
 * op's attribute types from its schema.
 */
export interface ArgSchema<Name extends string = string, Type extends ArgType = ArgType> {
  readonly name: Name;
  readonly required: boolean;
  /** Already normalised (`[1, 1]` for a pair). Absent on required arguments and on `defaultFrom` ones. */
  readonly default?: AttrValue;
  readonly type: Type;
  /** The default is another argument's value (pooling's `strides` = `pool`, as in Keras). */
  readonly defaultFrom?: string;
  /**
   * The default depends on the input's shape, so the op's `infer` fills it (attention's `key_dim` = width ÷
   * heads); said in words for documentation and hover.
   */
  readonly defaultFromShape?: string;
}

/**
 * The shorthands every op file writes its schema with, so each reads like Keras's signature. `const` type
 * parameters keep the argument's name and type as literals (`"units"`, `{ kind: "int"; min: 1 }`).
 */
export const arg = {
  required: <const N extends string, const T extends ArgType>(name: N, type: T): ArgSchema<N, T> => ({
    name,
    required: true,
    type,
  }),
  /** `value` is the Keras default, already normalised. */
  optional: <const N extends string, const T extends ArgType>(
    name: N,
    type: T,
    value: ArgValue<T>,
  ): ArgSchema<N, T> => ({ name, required: false, type, default: value }),
  /** Defaults to another argument's value (pooling's `strides` = `pool`); `from` must come first. */
  defaultFrom: <const N extends string, const T extends ArgType>(
    name: N,
    type: T,
    from: string,
  ): ArgSchema<N, T> => ({ name, required: false, type, defaultFrom: from }),
  /** Defaults to a value the op's `infer` computes from the input's shape, described in words. */
  defaultFromShape: <const N extends string, const T extends ArgType>(
    name: N,
    type: T,
    described: string,
  ): ArgSchema<N, T> => ({ name, required: false, type, defaultFromShape: described }),
  activation: (): ArgSchema<
    "activation",
    { readonly kind: "enum"; readonly values: typeof ACTIVATIONS }
  > => ({
    name: "activation",
    required: false,
    type: { kind: "enum", values: ACTIVATIONS },
    default: "linear",
  }),
  useBias: (): ArgSchema<"use_bias", { readonly kind: "bool" }> => ({
    name: "use_bias",
    required: false,
    type: { kind: "bool" },
    default: true,
  }),
};

/** How a type reads in a diagnostic: "an int >= 1", "one of valid, same". */
export function describeType(type: ArgType): string {
  switch (type.kind) {
    case "int":
      return "an integer";
    case "float":
      return "a number";
    case "bool":
      return "true or false";
    case "string":
      return "a string";
    case "enum":
      return `one of ${type.values.join(", ")}`;
    case "pair":
      return "an integer or an [h, w] list of integers";
    case "shape":
      return "a list of integers like [7, 7, 64]";
    case "padding2d":
      return "an integer, [h, w] or [[top, bottom], [left, right]]";
  }
}
