import type { Optimizer } from "../ir/config.js";

/** Optimizer state per trainable parameter, in parameter-sized slots (Keras's optimizers). */
export function optimizerSlots(optimizer: Optimizer): number {
  switch (optimizer.kind) {
    case "adam":
      return 2;
    case "sgd":
      return optimizer.momentum > 0 ? 1 : 0;
    case "rmsprop":
      return 1;
    case "adagrad":
      return 1;
  }
}
