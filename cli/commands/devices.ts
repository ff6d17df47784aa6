import { EXIT } from "../exit-codes.js";

/** `mgpuc devices`: the backends this installation can use, and the devices training would run on. */
export async function devicesCommand(flags: { json?: boolean }): Promise<number> {
  const { listBackends, listDevices } = await import("../../runtime/index.js");
  const backends = listBackends();
  const devices = listDevices();
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ event: "devices", backends, devices })}\n`);
    return EXIT.ok;
  }
  process.stdout.write("backends (best first):\n");
  for (const b of backends) {
    process.stdout.write(
      `  ${b.available ? "✓" : "·"} ${b.name.padEnd(10)} ${b.package.padEnd(30)} ${b.note}\n`,
    );
  }
  process.stdout.write(`devices (${devices.length}):\n`);
  for (const d of devices)
    process.stdout.write(`  ${d.id.padEnd(7)} ${d.backend.padEnd(6)} ${d.description}\n`);
  return EXIT.ok;
}
