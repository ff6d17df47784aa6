import { EXIT } from "../exit-codes.js";

/** `mgpuc devices`: the backend each device would use, and the devices found. */
export async function devicesCommand(flags: { json?: boolean }): Promise<number> {
  const { listDevices } = await import("../../runtime/index.js");
  const devices = await Promise.resolve(listDevices());
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ event: "devices", devices })}\n`);
    return EXIT.ok;
  }
  for (const d of devices) process.stdout.write(`${formatDevice(d)}\n`);
  return EXIT.ok;
}

function formatDevice(d: object): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("  ");
}
