import { existsSync, mkdirSync, promises as fs } from "node:fs";
import { dirname, resolve } from "node:path";

/*
 * A folder and its missing parents, made one level at a time from the nearest one that exists. Not node's
 * `mkdir(..., { recursive: true })`: on a path the system will not create, such as `/proc/x` (procfs answers
 * ENOENT), node's own loop retried forever at full CPU; here the first refusal is the error.
 */

/** Another writer made it meanwhile (two runs saving side by side): what was wanted is there. */
function madeMeanwhile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "EEXIST";
}

/** The folders to make, outermost first. */
function missingFolders(folder: string, exists: (path: string) => boolean): string[] {
  const missing: string[] = [];
  for (let at = resolve(folder); !exists(at); at = dirname(at)) {
    missing.push(at);
    if (dirname(at) === at) break;
  }
  return missing.reverse();
}

export function makeFolders(folder: string): void {
  for (const path of missingFolders(folder, existsSync)) {
    try {
      mkdirSync(path);
    } catch (error) {
      if (!madeMeanwhile(error)) throw error;
    }
  }
}

export async function makeFoldersAsync(folder: string): Promise<void> {
  for (const path of missingFolders(folder, existsSync)) {
    try {
      await fs.mkdir(path);
    } catch (error) {
      if (!madeMeanwhile(error)) throw error;
    }
  }
}
