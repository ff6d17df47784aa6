/** A device stopped working: it exited, threw, or reported an error of its own. */
export class DeviceFailure extends Error {
  constructor(
    message: string,
    readonly device: number,
  ) {
    super(message);
    this.name = "DeviceFailure";
  }
}
