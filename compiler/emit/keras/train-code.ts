import type { Target } from "../../ir/config.js";
import { piecesOf, type Piece } from "../python/prelude.js";

/**
 * The Keras program's training: the strategy, `model.compile` and `model.fit` inside its scope, a callback that
 * stops at `--steps` and times the steps after the first five, and the `final:` line from the chief worker.
 */
const KERAS_TRAIN = String.raw`
def make_strategy():
    """Across machines when TF_CONFIG names a cluster; otherwise every GPU of this machine (or its CPU)."""
    if "TF_CONFIG" in os.environ:
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.MirroredStrategy()


def is_chief():
    config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    task = config.get("task", {})
    if "chief" in config.get("cluster", {}):
        return task.get("type") == "chief"
    return task.get("index", 0) == 0


def make_optimizer():
    o = OPTIMIZER
    if o["kind"] == "adam":  #? optimizer:adam
        return tf.keras.optimizers.Adam(o["lr"], beta_1=o["beta1"], beta_2=o["beta2"], epsilon=o["epsilon"])  #? optimizer:adam
    if o["kind"] == "sgd":  #? optimizer:sgd
        return tf.keras.optimizers.SGD(o["lr"], momentum=o["momentum"], nesterov=o["nesterov"])  #? optimizer:sgd
    if o["kind"] == "rmsprop":  #? optimizer:rmsprop
        return tf.keras.optimizers.RMSprop(o["lr"], rho=o["rho"], epsilon=o["epsilon"])  #? optimizer:rmsprop
    return tf.keras.optimizers.Adagrad(o["lr"], initial_accumulator_value=o["initial_accumulator"])  #? optimizer:adagrad


class StepClock(tf.keras.callbacks.Callback):
    """Stops after --steps optimizer steps; samples_per_s over the steps after the first five."""

    def __init__(self, total_steps, batch_size, samples):
        super().__init__()
        self.total_steps, self.batch_size, self.samples = total_steps, batch_size, samples
        self.steps, self.trained, self.start, self.elapsed = 0, 0, None, 0.0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        now = time.perf_counter()
        if self.steps == 5:
            self.start = now
        elif self.steps > 5:
            self.trained += min(self.batch_size, self.samples - batch * self.batch_size)
            self.elapsed = now - self.start
        if self.steps >= self.total_steps:
            self.model.stop_training = True

    def rate(self):
        return "%d" % round(self.trained / self.elapsed) if self.elapsed > 0 else "n/a"


def main(args):
    if DATA is None or LOSS is None:
        fail("the .model file's train section needs data: and loss: for this program to train")
    # The strategy first: MultiWorkerMirroredStrategy must exist before other TensorFlow work starts.
    strategy = make_strategy()
    tf.keras.utils.set_random_seed(args.seed)
    x_train, y_train = load_source(DATA, args.data_dir, args.seed)
__INPUT_FIX__    x_train, y_train = fit_to_input(x_train, y_train)
    validation = {}
    if isinstance(VALIDATION, dict):
        validation["validation_data"] = fit_to_input(*load_source(VALIDATION, args.data_dir, args.seed + 1))
    elif VALIDATION > 0:
        validation["validation_split"] = VALIDATION
__TARGET__
    with strategy.scope():
        model = build_model()
        model.compile(optimizer=make_optimizer(), loss=LOSS, metrics=["accuracy"] if ACCURACY else [])

    # Keras's validation_split trains on the first floor(n * (1 - split)) samples.
    trained = int(len(x_train) * (1.0 - VALIDATION)) if "validation_split" in validation else len(x_train)
    steps_per_epoch = max(1, math.ceil(trained / BATCH_SIZE))
    total_steps = args.steps if args.steps is not None else args.epochs * steps_per_epoch
    clock = StepClock(total_steps, BATCH_SIZE, trained)
    history = model.fit(
        x_train,
        y_train,
        batch_size=BATCH_SIZE,
        epochs=math.ceil(total_steps / steps_per_epoch),
        shuffle=True,
        callbacks=[clock],
        verbose=2 if is_chief() else 0,
        **validation,
    )

    def last(key):
        values = history.history.get(key)
        return "%.4f" % values[-1] if values else "n/a"

    l2 = math.sqrt(sum(float(tf.reduce_sum(tf.square(w))) for w in model.trainable_weights))
    if is_chief():
        print(
            "final: loss=%s accuracy=%s val_accuracy=%s samples_per_s=%s weights_l2=%.9g"
            % (last("loss"), last("accuracy"), last("val_accuracy"), clock.rate(), l2),
            flush=True,
        )


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--steps", type=int, default=None, help="stop after this many optimizer steps")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--data-dir", default=HERE, help="folder that data paths are relative to")
    return parser.parse_args()


if __name__ == "__main__":
    main(parse_args())
`;

/** `target: input` as Keras writes an autoencoder, `fit(x, x)`: the samples are their own labels. */
const INPUT_AS_TARGET = [
  "    # target: input: the model learns to reproduce its input (an autoencoder, fit(x, x)).",
  "    y_train = x_train",
  '    if "validation_data" in validation:',
  '        validation["validation_data"] = (validation["validation_data"][0],) * 2',
  "",
].join("\n");

/**
 * Class ids under categorical cross-entropy, one-hot over the output's `classes` as mgpuc's runtime does (Keras
 * itself would refuse `[B]` labels against a `[B, classes]` output).
 */
function oneHotIds(classes: number): string {
  return [
    "    # Class ids under categorical cross-entropy: one-hot over the output's classes, as mgpuc does.",
    "    if y_train.ndim == 1:",
    `        y_train = tf.keras.utils.to_categorical(y_train, ${classes})`,
    '    if "validation_data" in validation and validation["validation_data"][1].ndim == 1:',
    '        x_val, y_val = validation["validation_data"]',
    `        validation["validation_data"] = (x_val, tf.keras.utils.to_categorical(y_val, ${classes}))`,
    "",
  ].join("\n");
}

/** What each definition of the training code uses of the others and of the data pieces. */
const NEEDS = {
  make_strategy: {},
  is_chief: {},
  make_optimizer: {},
  StepClock: {},
  main: {
    needs: [
      "fail",
      "make_strategy",
      "load_source",
      "fit_to_input",
      "make_optimizer",
      "StepClock",
      "is_chief",
    ],
  },
  parse_args: {},
  __main__: { needs: ["main", "parse_args"] },
};

/**
 * The training code's pieces, with the input fix the compiler found written out as the seed wrote it by hand
 * (`x_train[..., tf.newaxis]`) when the data's samples lack the model input's trailing axis of 1, and with
 * `target: input` the samples as their own labels.
 */
export function kerasTrain(
  dataShape: readonly number[] | undefined,
  inputShape: readonly number[],
  target?: Target,
  /** The output's classes when the loss is categorical cross-entropy (labels may be class ids). */
  categoricalClasses?: number,
): Piece[] {
  const addsAxis =
    dataShape !== undefined &&
    dataShape.length + 1 === inputShape.length &&
    inputShape[inputShape.length - 1] === 1 &&
    dataShape.every((d, i) => d === inputShape[i]);
  const fix = addsAxis
    ? `    # The data gives [${dataShape.join(", ")}] samples; the model's input is [${inputShape.join(", ")}].\n` +
      "    x_train = x_train[..., tf.newaxis]\n"
    : "";
  const code = KERAS_TRAIN.trim()
    .replace("__INPUT_FIX__", fix)
    .replace(
      "__TARGET__",
      target === "input" ? INPUT_AS_TARGET : categoricalClasses ? oneHotIds(categoricalClasses) : "",
    );
  return piecesOf(code, NEEDS, "compiler/emit/keras/train-code.ts");
}
