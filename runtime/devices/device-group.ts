/** What every device may reply instead of an answer: the error it stopped with. */
export interface ErrorReply {
  readonly type: "error";
  readonly message: string;
  /** True when this device only stopped because another one failed. */
  readonly aborted: boolean;
}

/**
 * The devices of a run addressed all together, whatever carries the messages: worker threads (`ThreadPool`)
 * or child processes (runtime/process's `ProcessPool`), each running an engine's entry module. `request`
 * resolves with every device's reply in `devices` order, or rejects with the `DeviceFailure` of the first
 * device that really failed. Engines choose the messages; the transports only carry them.
 */
export interface DeviceGroup<Message, Reply> {
  /** The device ids, as failures name them. */
  readonly devices: readonly number[];
  request(make: (device: number) => Message): Promise<Reply[]>;
  /** Fault injection for tests and drills: stops `device` the way a crash would. */
  kill(device: number): void;
  close(): Promise<void>;
}
