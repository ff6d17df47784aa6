import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { DataSource, TrainingConfig } from "../../ir/config.js";
import type { LiteralValue } from "./literals.js";

/**
 * The resolved `train` section as the program holds it. `resolve-config` made data paths absolute; the program
 * gets them relative to its own folder (`dataDir`), so it keeps working in another clone or on another
 * machine, and no local path ends up in it. Spans are compile-time only and stay out.
 */
export function trainingLiteral(training: TrainingConfig, dataDir: string): Record<string, LiteralValue> {
  const portable = (source: DataSource): LiteralValue => dataSourceLiteral(source, dataDir);
  return {
    ...(training.data ? { data: portable(training.data) } : {}),
    ...(training.target ? { target: training.target } : {}),
    optimizer: { ...training.optimizer },
    ...(training.loss ? { loss: training.loss } : {}),
    metrics: [...training.metrics],
    epochs: training.epochs,
    batch: training.batch,
    validation: typeof training.validation === "number" ? training.validation : portable(training.validation),
    seed: training.seed,
  };
}

function dataSourceLiteral(source: DataSource, dataDir: string): LiteralValue {
  const path = (p: string): string => portablePath(p, dataDir);
  switch (source.kind) {
    case "mnist":
      return { kind: "mnist" };
    case "idx":
      return { kind: "idx", images: path(source.images), labels: path(source.labels) };
    case "csv":
      return { kind: "csv", path: path(source.path), label: source.label };
    case "text":
      return { kind: "text", path: path(source.path), block: source.block };
    case "moby_dick":
      return { kind: "moby_dick", block: source.block };
    case "synthetic":
      return {
        kind: "synthetic",
        samples: source.samples,
        classes: source.classes,
        ...(source.shape ? { shape: [...source.shape] } : {}),
      };
  }
}

/** Relative, with `/` separators on every OS; a path that is already relative is kept as written. */
export function portablePath(path: string, dataDir: string): string {
  if (!isAbsolute(path)) return path;
  return relative(resolve(dataDir), path).split(sep).join("/") || ".";
}

/** Where the program resolves the file's data paths: its own folder, the `.model` file's unless told. */
export function programDataDir(modelFile: string, programFile: string | undefined): string {
  return dirname(resolve(programFile ?? modelFile));
}
