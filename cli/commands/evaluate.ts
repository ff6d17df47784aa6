import { EXIT } from "../exit-codes.js";
import { parseDataFlag } from "../flag-values.js";

/** `mgpuc evaluate DIR --data SOURCE`: loss and metrics of a saved model. Unreadable data or checkpoints: exit 3. */
export async function evaluateCommand(dir: string, flags: { data: string; json?: boolean }): Promise<number> {
  const source = parseDataFlag(flags.data);
  const { initBackend } = await import("../../runtime/index.js");
  const { evaluate, formatEvaluation } = await import("../../runtime/evaluate.js");
  await initBackend("auto");
  const { CheckpointError } = await import("../../runtime/checkpoint/index.js");
  const { DataError } = await import("../../runtime/data/index.js");
  try {
    const result = await evaluate(dir, source, process.cwd());
    process.stdout.write(
      flags.json ? `${JSON.stringify({ event: "evaluate", ...result })}\n` : `${formatEvaluation(result)}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CheckpointError || error instanceof DataError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.trainingFailure;
    }
    throw error;
  }
}
