import type { Target } from "../../ir/config.js";

/** The training prelude's line after which the program holds its data. */
const LOADED = "    x, y, x_val, y_val = load_training_data(args.data_dir, args.seed)\n";

/**
 * The torch training code with `target: input`: right after the data is loaded, the samples become their own
 * labels, so the loss compares the output with the input (an autoencoder). Without it the code is unchanged.
 */
export function torchTrain(trainPrelude: string, target: Target | undefined): string {
  if (target !== "input") return trainPrelude;
  if (!trainPrelude.includes(LOADED))
    throw new Error("the torch training prelude no longer loads its data where `target: input` expects it");
  return trainPrelude.replace(
    LOADED,
    `${LOADED}    # target: input: the model learns to reproduce its input (an autoencoder).\n    y, y_val = x, x_val\n`,
  );
}
