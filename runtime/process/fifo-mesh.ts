import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The file descriptors of one rank: `send[p]` writes to rank p, `recv[p]` reads from rank p (-1 for itself). */
export interface MeshEnds {
  readonly send: readonly number[];
  readonly recv: readonly number[];
}

function fifoPath(dir: string, from: number, to: number): string {
  return join(dir, `${from}-${to}`);
}

/** Made by the parent: a temp folder with one named pipe per ordered pair of ranks. */
export function createFifoMesh(size: number): string {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-mesh-"));
  const paths: string[] = [];
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) if (i !== j) paths.push(fifoPath(dir, i, j));
  if (paths.length > 0) execFileSync("mkfifo", ["-m", "600", ...paths]);
  return dir;
}

export function removeFifoMesh(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Opens this rank's ends. Opening one end of a FIFO blocks until the other end is opened, so every rank opens
 * its pairs in one global order (pair (i, j), i < j: first i→j, then j→i): the earliest pending pair always has
 * both ranks waiting on it, so the opens never deadlock. Plain O_RDONLY / O_WRONLY (not O_RDWR) so that a peer
 * that dies gives EOF / EPIPE instead of a read that waits forever.
 */
export function openFifoMesh(dir: string, rank: number, size: number): MeshEnds {
  const send = new Array<number>(size).fill(-1);
  const recv = new Array<number>(size).fill(-1);
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      if (rank === i) {
        send[j] = openSync(fifoPath(dir, i, j), constants.O_WRONLY);
        recv[j] = openSync(fifoPath(dir, j, i), constants.O_RDONLY);
      } else if (rank === j) {
        recv[i] = openSync(fifoPath(dir, i, j), constants.O_RDONLY);
        send[i] = openSync(fifoPath(dir, j, i), constants.O_WRONLY);
      }
    }
  }
  return { send, recv };
}

export function closeFifoMesh(ends: MeshEnds): void {
  for (const fd of [...ends.send, ...ends.recv]) if (fd >= 0) closeSync(fd);
}
