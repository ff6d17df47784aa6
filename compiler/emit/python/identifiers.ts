/**
 * Python identifiers for layer names. A `.model` name may be a Python keyword (`class`, `lambda`, `None`), shadow
 * a builtin or a name the generated program uses (`torch`, `model`), clash with an `nn.Module` attribute
 * (`training`, `forward`), or hold `/` (`residual/conv2d`); each gets a distinct, readable, valid identifier.
 */

// prettier-ignore
const KEYWORDS = [
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
  "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
  "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "match", "case", "type",
  "_",
];

// prettier-ignore
const BUILTINS = [
  "abs", "all", "any", "bool", "bytes", "callable", "dict", "dir", "enumerate", "eval", "exec", "filter",
  "float", "format", "getattr", "hasattr", "hash", "id", "input", "int", "isinstance", "iter", "len", "list",
  "map", "max", "min", "next", "object", "open", "print", "range", "repr", "reversed", "round", "set",
  "setattr", "slice", "sorted", "str", "sum", "super", "tuple", "vars", "zip", "self",
];

/** Attributes of `torch.nn.Module` and `tf.keras.Model` that a layer attribute must not replace. */
// prettier-ignore
const MODULE_ATTRIBUTES = [
  "training", "forward", "train", "eval", "cuda", "cpu", "to", "half", "double", "bfloat16", "apply",
  "parameters", "buffers", "children", "modules", "state_dict", "load_state_dict", "zero_grad",
  "requires_grad_", "register_buffer", "register_parameter", "register_module", "add_module",
  "named_parameters", "named_buffers", "named_children", "named_modules", "extra_repr", "share_memory",
  "get_submodule", "get_parameter", "get_buffer", "dump_patches", "call", "build", "compile", "fit", "layers",
  "inputs", "outputs", "weights", "name",
];

/** Module-level names of the generated programs (imports, helpers, the training loop's globals). */
// prettier-ignore
const PROGRAM_NAMES = [
  "os", "sys", "math", "time", "gzip", "struct", "csv", "json", "argparse", "np", "tf", "torch", "nn", "F",
  "dist", "DDP", "FSDP", "x", "y", "model", "args", "main", "data", "batch", "step", "loss", "rank", "world",
  "group", "strategy", "layer", "layers_", "inputs_", "outputs_",
];

const RESERVED = new Set([...KEYWORDS, ...BUILTINS, ...MODULE_ATTRIBUTES, ...PROGRAM_NAMES]);

/** One valid identifier: invalid characters become `_`, a leading digit gets `_`, a reserved name gets `_` after. */
export function pythonIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (id === "" || /^[0-9]/.test(id)) id = `_${id}`;
  if (RESERVED.has(id) || id.startsWith("__")) id = `${id.replace(/^_+/, "") || "layer"}_`;
  return RESERVED.has(id) ? `${id}_` : id;
}

/** Identifiers for a set of names, each distinct, assigned in the order given (so output is deterministic). */
export function uniqueIdentifiers(names: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const name of names) {
    const base = pythonIdentifier(name);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    out.set(name, id);
  }
  return out;
}
