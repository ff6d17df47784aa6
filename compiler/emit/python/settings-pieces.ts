import type { Optimizer, TrainingConfig } from "../../ir/config.js";
import { dataSourceNeeds } from "./prelude-data.js";
import { feature, type Piece } from "./prelude.js";

/** Every optimizer kind; `make_optimizer` keeps the branch of the file's (`#? optimizer:KIND`). */
const OPTIMIZER_KINDS = { adam: true, sgd: true, rmsprop: true, adagrad: true } satisfies Record<
  Optimizer["kind"],
  true
>;

/** Features the settings switch on: one per optimizer kind (the data kinds are in DATA_PIECES). */
export const SETTINGS_PIECES: readonly Piece[] = Object.keys(OPTIMIZER_KINDS).map((kind) =>
  feature(`optimizer:${kind}`),
);

/** What the training settings need: the readers of their data sources and their optimizer's branch. */
export function settingsNeeds(training: TrainingConfig): string[] {
  return [...dataSourceNeeds(training), `optimizer:${training.optimizer.kind}`];
}
