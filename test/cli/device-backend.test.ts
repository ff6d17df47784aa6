import { describe, expect, it } from "vitest";
import { chooseDeviceBackend, type Machine } from "../../cli/device-backend.js";
import { UsageError } from "../../cli/exit-codes.js";
import type { AdapterDescription, WebgpuProbe } from "../../runtime/backend/webgpu-adapters.js";

function adapter(name: string, software: boolean): AdapterDescription {
  return {
    name,
    backend: "vulkan",
    vendor: software ? "mesa" : "nvidia",
    architecture: software ? "software" : "hopper",
    description: name,
    software,
    maxBufferSize: 2 ** 32,
    maxStorageBufferBindingSize: 2 ** 27,
  };
}

/** A machine as the choice sees it; `probed` counts the WebGPU probes it was asked for. */
function machine(o: {
  native?: boolean;
  gpuNode?: boolean;
  probe?: WebgpuProbe;
}): Machine & { probed: number } {
  const m = {
    probed: 0,
    nativeInstalled: () => o.native ?? false,
    mayHaveGpu: () => Promise.resolve(o.gpuNode ?? true),
    probeWebgpu: () => {
      m.probed++;
      return Promise.resolve(o.probe ?? { adapters: [], reason: "Dawn found no adapter (no Vulkan driver)" });
    },
  };
  return m;
}

const twoGpus = { adapters: [adapter("NVIDIA H100 A", false), adapter("NVIDIA H100 B", false)] };
const lavapipe = { adapters: [adapter("llvmpipe (LLVM 15.0.6, 256 bits)", true)] };

describe("which backend a run's devices start (--backend, backend:)", () => {
  it("auto: native when installed, without probing WebGPU", async () => {
    const m = machine({ native: true, probe: twoGpus });
    expect(await chooseDeviceBackend("auto", 2, undefined, m)).toEqual({ backend: "auto", warnings: [] });
    expect(m.probed).toBe(0);
  });

  it("auto: real GPU adapters → WebGPU, one device process per adapter, `gpus` for `devices: all`", async () => {
    const chosen = await chooseDeviceBackend("auto", 2, undefined, machine({ probe: twoGpus }));
    expect(chosen).toEqual({
      backend: "webgpu",
      webgpuAdapters: ["NVIDIA H100 A", "NVIDIA H100 B"],
      gpus: 2,
      warnings: [],
    });
  });

  it("auto: a software adapter alone, no GPU device node, or --transport thread → wasm (auto)", async () => {
    expect((await chooseDeviceBackend("auto", 2, undefined, machine({ probe: lavapipe }))).backend).toBe(
      "auto",
    );
    const noNode = machine({ gpuNode: false, probe: twoGpus });
    expect((await chooseDeviceBackend("auto", 2, undefined, noNode)).backend).toBe("auto");
    expect(noNode.probed).toBe(0);
    expect((await chooseDeviceBackend("auto", 2, "thread", machine({ probe: twoGpus }))).backend).toBe(
      "auto",
    );
  });

  it("webgpu: the software adapter when there is no GPU; more devices than adapters share them, with a warning", async () => {
    const chosen = await chooseDeviceBackend("webgpu", 3, undefined, machine({ probe: lavapipe }));
    expect(chosen.backend).toBe("webgpu");
    expect(chosen.webgpuAdapters).toEqual(["llvmpipe (LLVM 15.0.6, 256 bits)"]);
    expect(chosen.gpus).toBeUndefined();
    expect(chosen.warnings).toEqual([
      "3 WebGPU devices on 1 adapter (llvmpipe (LLVM 15.0.6, 256 bits)): device processes share adapters, " +
        "taking them in turn",
    ]);
    // Real GPUs are preferred to a software adapter beside them.
    const mixed = { adapters: [...lavapipe.adapters, ...twoGpus.adapters] };
    const onGpus = await chooseDeviceBackend("webgpu", 2, undefined, machine({ probe: mixed }));
    expect(onGpus.webgpuAdapters).toEqual(["NVIDIA H100 A", "NVIDIA H100 B"]);
  });

  it("webgpu without an adapter, or with --transport thread, is bad usage naming the reason and the fix", async () => {
    const none = chooseDeviceBackend("webgpu", 1, undefined, machine({}));
    await expect(none).rejects.toBeInstanceOf(UsageError);
    await expect(none).rejects.toThrow(
      "--backend webgpu: no WebGPU adapter: Dawn found no adapter (no Vulkan driver); see `mgpuc devices`, or give --backend wasm",
    );
    await expect(chooseDeviceBackend("webgpu", 2, "thread", machine({ probe: lavapipe }))).rejects.toThrow(
      "drop --transport thread",
    );
  });

  it("wasm, cpu and native pass through untouched", async () => {
    for (const b of ["wasm", "cpu", "native"] as const) {
      const m = machine({ probe: twoGpus });
      expect(await chooseDeviceBackend(b, 2, undefined, m)).toEqual({ backend: b, warnings: [] });
      expect(m.probed).toBe(0);
    }
  });
});
