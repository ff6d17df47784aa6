/**
 * The package's import surface, `import { trainModel } from "mgpuc"`: the runtime's library API (for programs
 * that `mgpuc FILE.model --emit ts` writes and for hand-written TensorFlow.js code), the flag parsers those
 * programs use, and the types of what they pass. The compiler itself stays behind the CLI.
 */
import type { TrainingConfig } from "./compiler/ir/config.js";

export * from "./runtime/index.js";
export { FlagError, parseDataSource, parseLoss } from "./compiler/emit/typescript/program-flags.js";
export type { DataSource, Loss, Optimizer, TrainingConfig } from "./compiler/ir/config.js";
export type { Plan, PlanLayer, PlanPlacement } from "./compiler/plan/plan-types.js";

/** A `train` section as a program writes it: `TrainingConfig` without the compiler's source spans. */
export type TrainingSettings = Omit<TrainingConfig, "spans">;
