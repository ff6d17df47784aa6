import { EXIT } from "../exit-codes.js";

export interface SampleFlags {
  readonly prompt: string;
  readonly tokens: number;
  readonly temperature: number;
  readonly topK: number;
  readonly seed: number;
}

/**
 * `mgpuc sample RUN_DIR --prompt TEXT`: text from a trained character-level model, each character written as it
 * is generated. A checkpoint without a vocabulary or a prompt with characters the model never saw: exit 2 with
 * the reason; an unreadable checkpoint: exit 3.
 */
export async function sampleCommand(dir: string, flags: SampleFlags): Promise<number> {
  const { initBackend } = await import("../../runtime/index.js");
  const { sampleText, SampleError } = await import("../../runtime/sample-text.js");
  const { CheckpointError } = await import("../../runtime/checkpoint/index.js");
  await initBackend("auto");
  try {
    let started = false;
    await sampleText(dir, {
      ...flags,
      onCharacter: (c) => {
        if (!started) process.stdout.write(flags.prompt);
        started = true;
        process.stdout.write(c);
      },
    });
    if (!started) process.stdout.write(flags.prompt);
    process.stdout.write("\n");
    return EXIT.ok;
  } catch (error) {
    if (error instanceof SampleError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof CheckpointError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.trainingFailure;
    }
    throw error;
  }
}
