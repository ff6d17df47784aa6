import type { DataSource, TrainingConfig } from "../../ir/config.js";
import { feature, piecesOf, type Piece } from "./prelude.js";

/**
 * The data loaders both Python programs share (numpy only, no network): `load_training_data` returns float32 or
 * int64 samples already shaped like the model's input, and the labels. Specs are the dict literals the emitters
 * write from the resolved `data:` and `validation:` settings. `load_source` keeps the branch of each source
 * kind the program reads (`#? source:KIND`).
 */
const DATA_PRELUDE = String.raw`
def read_idx(path):
    """An unsigned-byte IDX file (the MNIST format), gzipped or not."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        fail("cannot read data file %s: %s" % (path, e.strerror))
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        fail("%s is not an unsigned-byte IDX file" % path)
    ndim = raw[3]
    dims = struct.unpack(">%dI" % ndim, raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_csv(path, label, labels=True):
    """Numeric CSV with a header row: the label column, and every other column as a feature. Without labels
    (target: input) a missing label column leaves every column a feature."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        fail("cannot read data file %s: %s" % (path, e.strerror))
    if not rows or (labels and label not in rows[0]):
        fail("%s has no column %r" % (path, label))
    table = np.array([[float(v) for v in row] for row in rows[1:] if row], dtype=np.float64)
    if label not in rows[0]:
        return table.astype(np.float32), np.zeros(len(table))
    at = rows[0].index(label)
    return np.delete(table, at, axis=1).astype(np.float32), table[:, at]


def read_text_windows(path, block):
    """Character-level text as mgpuc reads it: ids index the sorted set of the text's characters (Unicode code
    points); sample i is characters i*block .. i*block+block-1, its labels the same window shifted by one."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        fail("cannot read text file %s: %s" % (path, e))
    if len(text) <= block:
        fail("%s has %d characters, too few for one window of block %d" % (path, len(text), block))
    vocabulary = sorted(set(text))
    index = {c: i for i, c in enumerate(vocabulary)}
    ids = np.array([index[c] for c in text], dtype=np.int64)
    count = (len(ids) - 1) // block
    x = ids[: count * block].reshape(count, block)
    return x, ids[1 : count * block + 1].reshape(count, block)


def load_source(spec, data_dir, seed):
    kind = spec["kind"]
    if kind == "mnist":  #? source:mnist
        x = read_idx(os.path.join(HERE, MNIST_FILES[0])).astype(np.float32) / 255.0  #? source:mnist
        return x, read_idx(os.path.join(HERE, MNIST_FILES[1])).astype(np.int64)  #? source:mnist
    if kind == "idx":  #? source:idx
        x = read_idx(os.path.join(data_dir, spec["images"])).astype(np.float32) / 255.0  #? source:idx
        return x, read_idx(os.path.join(data_dir, spec["labels"])).astype(np.int64)  #? source:idx
    if kind == "csv":  #? source:csv
        return read_csv(os.path.join(data_dir, spec["path"]), spec["label"], spec.get("needs_labels", True))  #? source:csv
    if kind == "text":  #? source:text
        return read_text_windows(os.path.join(data_dir, spec["path"]), spec["block"])  #? source:text
    if kind == "moby_dick":  #? source:moby_dick
        return read_text_windows(os.path.join(HERE, MOBY_DICK_FILE), spec["block"])  #? source:moby_dick
    rng = np.random.default_rng(seed)  #? source:synthetic
    shape = tuple(spec.get("shape") or INPUT_SHAPE)  #? source:synthetic
    x = rng.random((spec["samples"],) + shape, dtype=np.float32)  #? source:synthetic
    if INPUT_DTYPE == "int32":  #? source:synthetic
        x = np.floor(x * spec["classes"])  #? source:synthetic
    return x, rng.integers(0, spec["classes"], spec["samples"]).astype(np.int64)  #? source:synthetic


def fit_to_input(x, y):
    """Samples shaped like the model's input: equal, or equal up to a trailing axis of 1, which is added."""
    if tuple(x.shape[1:]) != INPUT_SHAPE and tuple(x.shape[1:]) + (1,) == INPUT_SHAPE:
        x = x[..., np.newaxis]
    if tuple(x.shape[1:]) != INPUT_SHAPE:
        shapes = (list(x.shape[1:]), list(INPUT_SHAPE))
        fail("data gives samples of shape %s; the model's input expects %s" % shapes)
    x = x.astype(np.int64 if INPUT_DTYPE == "int32" else np.float32)
    return x, (y.astype(np.int64) if INTEGER_LABELS else y.astype(np.float32))


def load_training_data(data_dir, seed):
    """(x, y, x_val, y_val); a validation fraction holds out the last samples, as Keras's validation_split."""
    x, y = fit_to_input(*load_source(DATA, data_dir, seed))
    if isinstance(VALIDATION, dict):
        return (x, y) + fit_to_input(*load_source(VALIDATION, data_dir, seed + 1))
    split = int(math.floor(len(x) * (1.0 - VALIDATION)))
    return x[:split], y[:split], x[split:], y[split:]


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(3)
`;

/** The reader each data source kind needs: the table that decides which readers a program carries. */
export const DATA_READERS = {
  mnist: ["read_idx"],
  idx: ["read_idx"],
  csv: ["read_csv"],
  text: ["read_text_windows"],
  moby_dick: ["read_text_windows"],
  synthetic: [],
} satisfies Record<DataSource["kind"], readonly string[]>;

/** The data pieces, in program order; `source:KIND` (no code) stands for reading that kind. */
export const DATA_PIECES: readonly Piece[] = [
  ...piecesOf(
    DATA_PRELUDE,
    {
      read_idx: { needs: ["fail"], imports: ["gzip", "struct"] },
      read_csv: { needs: ["fail"], imports: ["csv"] },
      read_text_windows: { needs: ["fail"] },
      load_source: {},
      fit_to_input: { needs: ["fail"] },
      load_training_data: { needs: ["load_source", "fit_to_input"] },
      fail: {},
    },
    "compiler/emit/python/prelude-data.ts",
  ),
  ...Object.entries(DATA_READERS).map(([kind, readers]) => feature(`source:${kind}`, readers)),
];

/** The kinds of source the settings read (training and validation data), as pieces to start from. */
export function dataSourceNeeds(training: TrainingConfig): string[] {
  const sources = [training.data, typeof training.validation === "number" ? undefined : training.validation];
  return ["load_source", ...new Set(sources.flatMap((s) => (s ? [`source:${s.kind}`] : [])))];
}

/** Whether the program reads the novel (written beside it as MOBY_DICK_FILE). */
export function readsMobyDick(training: TrainingConfig): boolean {
  return dataSourceNeeds(training).includes("source:moby_dick");
}

/** Whether the program reads the built-in digits (and so needs the MNIST_FILES setting). */
export function readsMnist(training: TrainingConfig): boolean {
  return dataSourceNeeds(training).includes("source:mnist");
}
