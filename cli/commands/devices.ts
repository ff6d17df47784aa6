import { EXIT } from "../exit-codes.js";

const MIB = 2 ** 20;

/**
 * `mgpuc devices`: the backends this installation can use, the WebGPU adapters found (or why there are none),
 * and the devices training would run on. Finding no adapter is an answer, not an error: exit 0.
 */
export async function devicesCommand(flags: { json?: boolean }): Promise<number> {
  const { listBackends, listDevices } = await import("../../runtime/index.js");
  const { probeWebgpu, realAdapters } = await import("../../runtime/backend/webgpu-adapters.js");
  const backends = listBackends();
  const webgpu = await probeWebgpu();
  const devices = listDevices(realAdapters(webgpu));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ event: "devices", backends, webgpu, devices })}\n`);
    return EXIT.ok;
  }
  process.stdout.write("backends (best first):\n");
  for (const b of backends) {
    process.stdout.write(
      `  ${b.available ? "✓" : "·"} ${b.name.padEnd(10)} ${b.package.padEnd(30)} ${b.note}\n`,
    );
  }
  if (webgpu.adapters.length === 0) {
    process.stdout.write(`webgpu: no adapter (${webgpu.reason ?? "none found"})\n`);
  } else {
    process.stdout.write(`webgpu adapters (${webgpu.adapters.length}):\n`);
    webgpu.adapters.forEach((a, i) => {
      const kind = a.software ? "software, used only with --backend webgpu" : "GPU";
      process.stdout.write(
        `  ${String(i).padEnd(3)} ${a.name} · ${a.vendor || "unknown vendor"} · ${a.backend} · ${kind}\n` +
          `      ${a.description} · max buffer ${(a.maxBufferSize / MIB).toFixed(0)} MiB, ` +
          `max storage binding ${(a.maxStorageBufferBindingSize / MIB).toFixed(0)} MiB\n`,
      );
    });
  }
  process.stdout.write(`devices (${devices.length}):\n`);
  for (const d of devices)
    process.stdout.write(`  ${d.id.padEnd(7)} ${d.backend.padEnd(6)} ${d.description}\n`);
  return EXIT.ok;
}
