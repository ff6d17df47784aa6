import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { SYSTEM_PYTHON } from "./python.js";

/** A TCP port nobody listens on right now, for MASTER_PORT. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RankResult {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Starts `world` processes of a program with the plain RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT environment
 * (Debian's torchrun is broken on Python 3.11), one CPU thread each, and waits for all of them.
 */
export async function runRanks(
  program: string,
  world: number,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<RankResult[]> {
  const port = await freePort();
  const runs = Array.from({ length: world }, (_, rank) => {
    return new Promise<RankResult>((resolve) => {
      const child = spawn(SYSTEM_PYTHON, [program, ...args], {
        env: {
          ...process.env,
          RANK: String(rank),
          WORLD_SIZE: String(world),
          MASTER_ADDR: "127.0.0.1",
          MASTER_PORT: String(port),
          OMP_NUM_THREADS: "1",
          CUDA_VISIBLE_DEVICES: "",
          ...env,
        },
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      child.on("close", (code) => resolve({ code, output }));
    });
  });
  return Promise.all(runs);
}

/** The `final:` line's fields, from rank 0's output; undefined when it printed none. */
export function finalLine(output: string): Record<string, string> | undefined {
  const line = output.split("\n").find((l) => l.startsWith("final: "));
  if (!line) return undefined;
  return Object.fromEntries(
    line
      .slice("final: ".length)
      .split(" ")
      .map((kv) => kv.split("=") as [string, string]),
  );
}
