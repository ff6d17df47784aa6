import { closeSync, existsSync, openSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { makeFolders } from "../runtime/files/make-folders.js";
import { UsageError } from "./exit-codes.js";

/** Why a path could not be written, in words, from node's error code. */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "EISDIR":
      return "it is a folder";
    case "ENOTDIR":
      return "a part of its path is a file, not a folder";
    case "ENOENT":
      return "its folder cannot be made here";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    case "EDQUOT":
      return "the disk quota is used up";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Writes `-o FILE`, making its folders. A path that cannot be written is a usage mistake (exit 2) said in one
 * line (`-o out/plan.json: cannot write it: permission denied`), not an internal error with a stack.
 */
export function writeOutputFile(path: string, text: string | Uint8Array): void {
  try {
    makeFolders(dirname(path));
    writeFileSync(path, text);
  } catch (error) {
    throw new UsageError(`-o ${path}: cannot write it: ${reason(error)}`);
  }
}

/**
 * Fails now, as `writeOutputFile` would at the end, when `-o FILE` cannot be written: for commands that measure
 * or train for a while first (`calibrate`). Makes the folders, opens the file for appending (an existing file is
 * left as it is) and removes it again if it was not there.
 */
export function checkOutputFile(path: string): void {
  const existed = existsSync(path);
  try {
    makeFolders(dirname(path));
    closeSync(openSync(path, "a"));
    if (!existed) unlinkSync(path);
  } catch (error) {
    throw new UsageError(`-o ${path}: cannot write it: ${reason(error)}`);
  }
}
