import type { DeviceGroup } from "../devices/device-group.js";
import { repliesOf } from "../devices/start-devices.js";
import type { ReadyReply } from "./protocol.js";

/**
 * Sends every device its init message (`init(device)`) and resolves with the backend they started; on any
 * failure the devices are closed before the rejection, so a run that could not start leaves nothing behind.
 */
export async function readyDevices<Message, Reply extends { readonly type: string }>(
  pool: DeviceGroup<Message, Reply | ReadyReply>,
  init: (device: number) => Message,
): Promise<string> {
  try {
    const [first] = repliesOf(await pool.request(init), "ready") as ReadyReply[];
    return first!.backend;
  } catch (error) {
    await pool.close();
    throw error;
  }
}
