import type { TrainingConfig } from "../../ir/config.js";
import type { EmitResult } from "./emit-input.js";
import { programStem } from "./header.js";
import { mnistIdxFiles } from "./mnist-files.js";
import { mobyDickFile } from "./moby-dick-file.js";

/**
 * The program from its sections (at most two blank lines between any two, as PEP 8 has between top-level
 * definitions), named after the `.model` file, plus the built-in digits beside it when it reads `mnist` and the
 * novel when it reads `moby_dick`.
 */
export function programFiles(
  modelFile: string,
  sections: readonly string[],
  training: TrainingConfig,
): EmitResult {
  const text = sections.join("\n\n").replace(/\n{4,}/g, "\n\n\n") + "\n";
  const program = { path: `${programStem(modelFile)}.py`, content: text };
  const kinds = [
    training.data?.kind,
    typeof training.validation === "number" ? undefined : training.validation.kind,
  ];
  return {
    files: [
      program,
      ...(kinds.includes("mnist") ? mnistIdxFiles() : []),
      ...(kinds.includes("moby_dick") ? [mobyDickFile()] : []),
    ],
  };
}
