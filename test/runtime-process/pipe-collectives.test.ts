import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bucketedRanges } from "../../runtime/collectives/index.js";
import { CHECK_RESULTS, fillPattern } from "../../runtime/collectives/rank-worker.js";
import { CollectiveProcesses, deviceEnv, resolveTransport } from "../../runtime/process/index.js";
import { FrameReader, encodeFrame } from "../../runtime/process/frames.js";
import { SharedFile, decodeMessage, encodeMessage } from "../../runtime/process/message-codec.js";

function expectedSum(ranks: number, length: number): number[] {
  const sum = new Float32Array(length);
  const part = new Float32Array(length);
  for (let r = 0; r < ranks; r++) {
    fillPattern(part, r);
    for (let i = 0; i < length; i++) sum[i]! += part[i]!;
  }
  return Array.from(sum);
}

/** `values` at the ranges, zero elsewhere: what a rank's reduce-scatter leaves. */
function ownedOnly(values: readonly number[], ranges: ReadonlyArray<[number, number]>): number[] {
  const out = new Array<number>(values.length).fill(0);
  for (const [lo, hi] of ranges) for (let i = lo; i < hi; i++) out[i] = values[i]!;
  return out;
}

describe("pipe collectives between device processes", () => {
  for (const ranks of [2, 3]) {
    it(`all-reduce, reduce-scatter, all-gather and broadcast on ${ranks} processes, several buckets`, async () => {
      const bucket = 64;
      // 100 000 floats: pieces larger than a pipe's buffer, so the exchange must interleave reads and writes.
      const lengths = [1, 17, 3 * bucket + 5, 100_000];
      const pool = new CollectiveProcesses(ranks, { bucket });
      try {
        const results = await pool.exercise({ mode: "check", lengths, repeats: 0 });
        lengths.forEach((length, k) => {
          const expected = expectedSum(ranks, length);
          for (let r = 0; r < ranks; r++) {
            const [sum, viaBuckets, gathered, broadcast, scattered, regathered] = results[r]!.slice(
              CHECK_RESULTS * k,
              CHECK_RESULTS * (k + 1),
            );
            expect(Array.from(sum!)).toEqual(expected);
            expect(Array.from(viaBuckets!)).toEqual(expected);
            expect(Array.from(gathered!)).toEqual(
              Array.from({ length: 3 * ranks }, (_, i) => Math.floor(i / 3)),
            );
            expect(Array.from(broadcast!)).toEqual(new Array(5).fill(ranks - 1));
            expect(Array.from(scattered!)).toEqual(
              ownedOnly(expected, bucketedRanges(length, bucket, ranks, r)),
            );
            expect(Array.from(regathered!)).toEqual(expected);
          }
        });
      } finally {
        await pool.close();
      }
    });
  }

  it("a large bucket (1M floats, the default) on 2 GPU-pinned processes", async () => {
    // The GPU code path on CPU processes: each child pinned to "its" GPU (no backend is started by this check).
    const pool = new CollectiveProcesses(2, { gpu: true });
    try {
      const results = await pool.exercise({ mode: "check", lengths: [(1 << 20) + 3], repeats: 0 });
      expect([pool.cudaVisibleDevices(0), pool.cudaVisibleDevices(1)]).toEqual(["0", "1"]);
      const expected = expectedSum(2, (1 << 20) + 3);
      for (const r of results) {
        const sum = r[0]!;
        expect(sum.length).toBe(expected.length);
        // A plain loop: toEqual on a million elements takes seconds.
        let mismatches = 0;
        for (let i = 0; i < sum.length; i++) if (sum[i] !== expected[i]) mismatches++;
        expect(mismatches).toBe(0);
      }
    } finally {
      await pool.close();
    }
  });

  it("frames survive arbitrary chunking", () => {
    const body = new Uint8Array(new Float32Array([1.5, -2, 3]).buffer);
    const bytes = new Uint8Array([...encodeFrame({ type: "a" }, body), ...encodeFrame({ type: "b" })]);
    const reader = new FrameReader();
    const frames = [];
    for (let i = 0; i < bytes.length; i += 5) frames.push(...reader.push(bytes.subarray(i, i + 5)));
    expect(frames.map((f) => f.header)).toEqual([{ type: "a" }, { type: "b" }]);
    expect(Array.from(new Float32Array(frames[0]!.body.buffer))).toEqual([1.5, -2, 3]);
    expect(frames[1]!.body.length).toBe(0);
  });

  it("messages cross processes: typed arrays in the body, shared buffers written to the file once", () => {
    const dir = mkdtempSync(join(tmpdir(), "mgpuc-codec-"));
    try {
      const shared = new SharedFile(join(dir, "shared.bin"));
      const data = new SharedArrayBuffer(12);
      new Float32Array(data).set([1, 2, 3]);
      // User names are data: a key like `constructor` or `__proto__` stays a plain key.
      const message = {
        type: "init",
        names: { constructor: 1, toString: "x" },
        indices: Uint32Array.from([7, 8, 9]),
        weights: [new Float32Array([0.5, -1]), new Int32Array([3])],
        train: { x: data, again: data },
      };
      const frame = encodeMessage(message, shared);
      encodeMessage({ more: data }, shared);
      shared.close();
      expect(statSync(join(dir, "shared.bin")).size).toBe(12);
      const [decoded] = new FrameReader(decodeMessage).push(frame);
      const m = decoded!.header as typeof message;
      expect(m.names).toEqual({ constructor: 1, toString: "x" });
      expect(m.indices).toBeInstanceOf(Uint32Array);
      expect(Array.from(m.indices)).toEqual([7, 8, 9]);
      expect(m.weights.map((w) => Array.from(w))).toEqual([[0.5, -1], [3]]);
      expect(m.weights[1]).toBeInstanceOf(Int32Array);
      expect(m.train.x).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(new Float32Array(m.train.x))).toEqual([1, 2, 3]);
      expect(() => encodeMessage({ x: data })).toThrow(/cannot share memory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).toBe(false);
  });

  it("GPU devices imply processes", () => {
    expect(resolveTransport(undefined, 2)).toEqual({ transport: "process", gpu: true });
    expect(resolveTransport("thread", 2)).toEqual({ transport: "process", gpu: true });
    expect(resolveTransport(undefined, 0)).toEqual({ transport: "thread", gpu: false });
    expect(resolveTransport("process", 0)).toEqual({ transport: "process", gpu: false });
  });

  it("the environment of a pinned device process", () => {
    const o = { rank: 2, size: 4, mesh: "/tmp/x", bucket: 16, gpu: true };
    expect(deviceEnv(o, {}).CUDA_VISIBLE_DEVICES).toBe("2");
    expect(deviceEnv({ ...o, gpu: false }, {}).CUDA_VISIBLE_DEVICES).toBeUndefined();
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("no orphan device processes", () => {
  it("device processes exit when their parent is killed with SIGKILL", async () => {
    const script = fileURLToPath(new URL("./fixtures/orphan-parent.ts", import.meta.url));
    const parent = spawn(process.execPath, ["--import", "tsx", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const { pids, folder } = await new Promise<{ pids: number[]; folder: string }>((resolve, reject) => {
      let text = "";
      parent.stdout.on("data", (c: Buffer) => {
        text += c.toString();
        if (text.includes("\n")) resolve(JSON.parse(text) as { pids: number[]; folder: string });
      });
      parent.on("exit", (code) => reject(new Error(`parent exited early (${code})`)));
    });
    expect(pids.every(alive)).toBe(true);
    expect(existsSync(folder)).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + 10_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(folder)).toBe(false);
  });
});
