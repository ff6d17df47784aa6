import { randomBytes } from "node:crypto";
import path from "node:path";
import { CheckpointError, describeFsError } from "./checkpoint-error.js";
import { nodeFs, type CheckpointFs } from "./checkpoint-fs.js";

/**
 * Checks, before any training, that checkpoints can be written to `runDir`: creates it (and its parents) and
 * writes, syncs and removes a probe file. Without it an unwritable folder is found only at the first
 * checkpoint, after an epoch of work. Rejects with a `CheckpointError` naming the folder and the reason.
 */
export async function probeWritable(runDir: string, fs: CheckpointFs = nodeFs): Promise<void> {
  const probe = path.join(runDir, `.tmp-probe-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await fs.mkdir(runDir);
    await fs.writeFileSynced(probe, "");
    await fs.removeTree(probe);
  } catch (error) {
    throw new CheckpointError(
      `cannot write checkpoints in ${runDir}: ${describeFsError(error)}; give --save a folder that can be written, or --no-save`,
      runDir,
    );
  }
}
