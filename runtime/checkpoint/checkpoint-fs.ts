import { promises as fs } from "node:fs";
import { makeFoldersAsync } from "../files/make-folders.js";

/**
 * The file operations checkpoints use, injectable so tests can make one fail midway (a full disk, a
 * permission error) and check that nothing already saved was touched.
 */
export interface CheckpointFs {
  mkdir(path: string): Promise<void>;
  /** Writes the whole file and fsyncs it before resolving. */
  writeFileSynced(path: string, data: Uint8Array | string): Promise<void>;
  /** fsyncs a directory, so renames and new entries in it survive a crash. */
  syncDir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  removeTree(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
}

export const nodeFs: CheckpointFs = {
  mkdir: (path) => makeFoldersAsync(path),
  async writeFileSynced(path, data) {
    const handle = await fs.open(path, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async syncDir(path) {
    const handle = await fs.open(path, "r");
    try {
      await handle.sync();
    } catch (error) {
      // Some file systems cannot fsync a directory; the data files themselves are already synced.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM") throw error;
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fs.rename(from, to),
  removeTree: (path) => fs.rm(path, { recursive: true, force: true }),
  readFile: (path) => fs.readFile(path),
  readdir: (path) => fs.readdir(path),
  async exists(path) {
    try {
      await fs.stat(path);
      return true;
    } catch {
      return false;
    }
  },
};
