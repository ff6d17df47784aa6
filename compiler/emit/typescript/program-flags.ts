import type { DataSource, Loss } from "../../ir/config.js";

/**
 * Run-time support for emitted programs (exported from the package root as `parseDataSource` and
 * `parseLoss`): their `--data` and `--loss` flags take the same values as a `.model` file's `data:` and
 * `loss:`, so the program's help and the language agree. Bad values throw a `FlagError` (exit 2: bad usage).
 */
export class FlagError extends Error {
  override readonly name = "FlagError";
}

const LOSSES: readonly Loss[] = [
  "sparse_categorical_crossentropy",
  "categorical_crossentropy",
  "binary_crossentropy",
  "mse",
  "mae",
];

export function parseLoss(text: string): Loss {
  const found = LOSSES.find((loss) => loss === text.trim());
  if (!found) throw new FlagError(`unknown loss '${text}'; expected one of ${LOSSES.join(", ")}`);
  return found;
}

type FlagValue = string | number | number[];

/** `mnist`, `idx("images", "labels")`, `csv("train.csv", label: "y")`, `synthetic(samples: 1000, classes: 10)`. */
export function parseDataSource(text: string): DataSource {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([\s\S]*)\))?\s*$/.exec(text);
  if (!match)
    throw new FlagError(
      `cannot read data source '${text}'; try mnist, idx("images", "labels"), csv("f.csv")`,
    );
  const kind = match[1]!;
  const { positional, keyword } = splitArgs(match[2] ?? "", text);
  const str = (value: FlagValue | undefined, what: string): string => {
    if (typeof value === "string") return value;
    throw new FlagError(`data source '${text}': ${kind} needs ${what}`);
  };
  const int = (value: FlagValue | undefined, what: string): number => {
    if (typeof value === "number" && Number.isInteger(value) && value >= 1) return value;
    throw new FlagError(`data source '${text}': ${kind} needs ${what} (a positive integer)`);
  };
  switch (kind) {
    case "mnist":
      return { kind: "mnist" };
    case "idx":
      return {
        kind: "idx",
        images: str(positional[0] ?? keyword.get("images"), "an images file"),
        labels: str(positional[1] ?? keyword.get("labels"), "a labels file"),
      };
    case "csv":
      return {
        kind: "csv",
        path: str(positional[0] ?? keyword.get("path"), "a file"),
        label: str(keyword.get("label") ?? positional[1] ?? "label", "a label column"),
      };
    case "text":
      return {
        kind: "text",
        path: str(positional[0] ?? keyword.get("path"), "a file"),
        block: int(keyword.get("block") ?? positional[1], "block:"),
      };
    case "moby_dick":
      return { kind: "moby_dick", block: int(keyword.get("block") ?? positional[0], "block:") };
    case "synthetic": {
      const shape = keyword.get("shape");
      if (shape !== undefined && !Array.isArray(shape))
        throw new FlagError(`data source '${text}': shape is a list`);
      return {
        kind: "synthetic",
        samples: int(keyword.get("samples") ?? positional[0], "samples:"),
        classes: int(keyword.get("classes") ?? positional[1], "classes:"),
        ...(shape ? { shape } : {}),
      };
    }
    default:
      throw new FlagError(
        `unknown data source '${kind}'; expected mnist, idx, csv, text, moby_dick or synthetic`,
      );
  }
}

/** Arguments: JSON strings, bare words, numbers and `[n, ...]` lists, positional before `key: value`. */
function splitArgs(body: string, text: string): { positional: FlagValue[]; keyword: Map<string, FlagValue> } {
  const token =
    /\s*(?:([A-Za-z_][A-Za-z0-9_]*)\s*:)?\s*("(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,()[\]"]+?)\s*(?:,|$)/y;
  const positional: FlagValue[] = [];
  const keyword = new Map<string, FlagValue>();
  let at = 0;
  while (at < body.length && body.slice(at).trim() !== "") {
    token.lastIndex = at;
    const m = token.exec(body);
    if (!m || token.lastIndex === at)
      throw new FlagError(`cannot read the arguments of data source '${text}'`);
    at = token.lastIndex;
    const value = readValue(m[2]!, text);
    if (m[1] !== undefined) keyword.set(m[1], value);
    else positional.push(value);
  }
  return { positional, keyword };
}

function readValue(raw: string, text: string): FlagValue {
  if (raw.startsWith('"')) {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "string") return parsed;
  }
  if (raw.startsWith("[")) {
    const items = raw
      .slice(1, -1)
      .split(",")
      .map((item) => Number(item.trim()));
    if (items.every((n) => Number.isInteger(n) && n >= 1)) return items;
    throw new FlagError(`data source '${text}': ${raw} is not a shape`);
  }
  const n = Number(raw);
  return raw.trim() !== "" && Number.isFinite(n) ? n : raw.trim();
}
