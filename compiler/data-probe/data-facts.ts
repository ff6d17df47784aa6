/**
 * What the compiler learns about a `data:` source by reading its headers and first rows (never all of a large
 * file): the per-sample shape and what the labels look like. `check-data` compares these with the model.
 */
export interface DataFacts {
  /** `mnist`, `idx`, `csv`, `synthetic`: how messages name the source. */
  readonly name: string;
  readonly sampleShape: readonly number[];
  /** CSV rows are flat: any input with as many values takes them. */
  readonly flat: boolean;
  /** CSV: the feature columns, in order, and the label column (absent under `target: input`), for hints. */
  readonly columns?: { readonly features: readonly string[]; readonly label?: string };
  /** Absent when the labels were not read (`target: input` does not use them). */
  readonly labels?: LabelFacts;
  /** Per-sample shape of the labels when not one value: `[T]` for text, one class per position. */
  readonly labelShape?: readonly number[];
  /** Text: the number of distinct characters (ids 0..vocabulary-1), which an embedding must take. */
  readonly vocabulary?: number;
  /** Text: the distinct characters themselves, sorted (a validation text must use the training text's). */
  readonly characters?: readonly string[];
}

/** A label value and where it is, for messages: `line 4 of train.csv`, `sample 12 of labels.idx`. */
export interface LabelAt {
  readonly value: number;
  readonly at: string;
}

export interface LabelFacts {
  /** The source defines its classes (mnist: 10; synthetic: `classes:`), rather than the labels showing them. */
  readonly definedClasses?: number;
  /** The largest label read. */
  readonly max: LabelAt;
  readonly min: LabelAt;
  /** The first label that is not a class index (an integer >= 0): the labels are then a regression target. */
  readonly notClass?: LabelAt;
  /** The first label that is neither 0 nor 1. */
  readonly notBinary?: LabelAt;
  /** False when only the file's first rows were read: the facts hold for those rows. */
  readonly complete: boolean;
  /** How many labels were read. */
  readonly count: number;
  /** The labels in a few words, for messages: `integer 0-3`, `digit (0-9)`, `float (0.5 on line 3 of y.csv)`. */
  readonly summary: string;
}

/** The result of reading a source at compile time. */
export type DataProbe =
  | { readonly kind: "facts"; readonly facts: DataFacts }
  /** The file breaks its format; the error names the file and the line or byte offset. */
  | { readonly kind: "unreadable"; readonly message: string; readonly path: string; readonly line?: number }
  /** A CSV whose label column is not in its header. */
  | {
      readonly kind: "no-label-column";
      readonly path: string;
      readonly label: string;
      readonly columns: readonly string[];
    }
  /** Nothing to read: the file does not exist yet (resolve-config already warned), or nothing is known. */
  | { readonly kind: "unknown" };
