import type { FromWorker, ToWorker } from "../train/protocol.js";

export interface DeviceRequest {
  readonly message: ToWorker;
  readonly transfer?: ArrayBuffer[];
}

/**
 * N devices addressed all together, whatever they are: worker threads (`DevicePool`) or child processes
 * (`ProcessPool`, runtime/process). `request` resolves with every device's reply in rank order, or rejects with
 * the `DeviceFailure` of the first device that really failed.
 */
export interface DeviceGroup {
  readonly size: number;
  request(make: (rank: number) => DeviceRequest): Promise<FromWorker[]>;
  /** Fault injection: stops device `rank` the way a crash would. */
  kill(rank: number): void;
  close(): Promise<void>;
}
