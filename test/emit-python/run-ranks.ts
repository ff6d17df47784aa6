import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { SYSTEM_PYTHON } from "./python.js";

/** Ports this process has handed out: two runs started together (1 and 2 ranks) must never share one. */
const handedOut = new Set<number>();

/**
 * A TCP port nobody listens on right now, for MASTER_PORT, and never one this process handed out before: a
 * 1-process and a 2-process run started together on the same port would meet in one rendezvous store, and
 * each wait for ranks that never come. It is drawn below Linux's ephemeral range (32768–60999): gloo listens
 * on ephemeral ports for its pair connections, so a store port from that range could be taken by another
 * run's gloo between here and the bind, and a rank that connects there waits forever (a CI run hung so).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port) || !(await isFree(port))) continue;
    handedOut.add(port);
    return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export interface RankResult {
  readonly code: number | null;
  readonly output: string;
}

/** What torch prints when the port MASTER_PORT names was taken between `freePort` and its rendezvous store. */
const PORT_TAKEN = /Address already in use|EADDRINUSE/;

/**
 * Starts `world` processes of a program with the plain RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT environment
 * (Debian's torchrun is broken on Python 3.11), one CPU thread each, and waits for all of them.
 *
 * A rank that fails takes the others down with it: rank 0 failing to bind its store would otherwise leave rank 1
 * waiting for it for gloo's 30-minute timeout (a CI run once hung so). When the failure is the port having been
 * taken by another process since `freePort` chose it, the run is started again on a new port (at most twice).
 *
 * Ranks still running after `timeoutMs` are stopped with SIGABRT, on which Python's faulthandler (`-X
 * faulthandler`) prints every thread's stack: a hung run then fails with where each rank was waiting, in its
 * output, instead of a bare test timeout.
 */
export async function runRanks(
  program: string,
  world: number,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 90_000,
): Promise<RankResult[]> {
  for (let attempt = 0; ; attempt++) {
    const results = await runRanksOnce(program, world, args, env, await freePort(), timeoutMs);
    const portTaken = results.some((r) => r.code !== 0 && PORT_TAKEN.test(r.output));
    if (!portTaken || attempt === 2) return results;
  }
}

function runRanksOnce(
  program: string,
  world: number,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  port: number,
  timeoutMs: number,
): Promise<RankResult[]> {
  const children = Array.from({ length: world }, (_, rank) =>
    spawn(SYSTEM_PYTHON, ["-X", "faulthandler", program, ...args], {
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
    }),
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    for (const child of children) if (child.exitCode === null) child.kill("SIGABRT");
  }, timeoutMs);
  const all = Promise.all(
    children.map(
      (child) =>
        new Promise<RankResult>((resolve) => {
          let output = "";
          child.stdout.on("data", (d: Buffer) => (output += d.toString()));
          child.stderr.on("data", (d: Buffer) => (output += d.toString()));
          child.on("close", (code) => {
            if (code !== 0 && !timedOut)
              for (const other of children) if (other.exitCode === null) other.kill("SIGKILL");
            const note = timedOut
              ? `\n[still running after ${timeoutMs / 1000} s: stopped with SIGABRT]\n`
              : "";
            resolve({ code, output: output + note });
          });
        }),
    ),
  );
  return all.finally(() => clearTimeout(timer));
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
