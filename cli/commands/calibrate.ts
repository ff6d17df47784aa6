import type { Backend } from "../../compiler/ir/config.js";
import { EXIT } from "../exit-codes.js";
import { writeOutput } from "../output.js";
import { checkOutputFile } from "../output-file.js";
import { shippedFallbacks } from "../machine-profile.js";

/** `mgpuc calibrate [-o PROFILE.json]`: measure this machine into a device profile for `--profile FILE`. */
export async function calibrateCommand(flags: {
  output?: string;
  devices?: number;
  backend?: Backend;
  quick?: boolean;
}): Promise<number> {
  // A path that cannot be written is said before the measurement (about 20 s), not after it.
  if (flags.output !== undefined) checkOutputFile(flags.output);
  const { calibrate } = await import("../../runtime/index.js");
  const { planProbe } = await import("../plan-probe.js");
  const profile = await calibrate({
    planProbe,
    ...(flags.quick === true ? { quick: { unmeasured: shippedFallbacks() } } : {}),
    ...(flags.devices !== undefined ? { devices: flags.devices } : {}),
    ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
  });
  writeOutput(`${JSON.stringify(profile, null, 2)}\n`, flags.output);
  if (flags.output) process.stderr.write(`wrote ${flags.output}; plan with --profile ${flags.output}\n`);
  return EXIT.ok;
}
