import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/exit-codes.js";
import { checkDeviceLimit, checkTrainingShape, MAX_CPU_DEVICES } from "../../cli/training-usage.js";
import { compileExampleFile } from "../placement/graphs.js";

const dataPlan = compileExampleFile("mnist", { devices: 2, strategy: "data" }).plan!;
const modelPlan = compileExampleFile("mnist", { devices: 2, strategy: "model" }).plan!;

describe("checkTrainingShape / checkDeviceLimit: usage the CLI refuses or warns about before training", () => {
  it("more CPU devices than cores: one warning naming both; none at or under the core count, or on GPUs", () => {
    const shape = { plan: dataPlan, batch: 64, batchFrom: "file", gpus: 0, cores: 2 } as const;
    expect(checkTrainingShape({ ...shape, devices: 64 })).toEqual([
      "64 CPU devices on 2 cores: devices beyond the core count share cores, so expect no speed-up past 2 " +
        "devices, only more memory",
    ]);
    expect(checkTrainingShape({ ...shape, devices: 2 })).toEqual([]);
    expect(checkTrainingShape({ ...shape, devices: 64, gpus: 64 })).toEqual([]);
  });

  it("a batch under the data degree is a UsageError naming where the batch came from", () => {
    const shape = { plan: dataPlan, devices: 2, gpus: 0, cores: 2 } as const;
    expect(() => checkTrainingShape({ ...shape, batch: 1, batchFrom: "file" })).toThrow(
      new UsageError(
        "the train section's batch 1 is smaller than the 2 data-parallel replicas it is split over (every " +
          "replica needs a row); give --batch 2 or more, or fewer --devices",
      ),
    );
    expect(() => checkTrainingShape({ ...shape, batch: 2, batchFrom: "flag" })).not.toThrow();
    // A model-parallel plan gives every device the whole batch.
    expect(() =>
      checkTrainingShape({ ...shape, plan: modelPlan, batch: 1, batchFrom: "flag" }),
    ).not.toThrow();
  });

  it(`more than ${MAX_CPU_DEVICES} CPU devices is refused; GPUs are the runtime's to count`, () => {
    expect(() => checkDeviceLimit(MAX_CPU_DEVICES + 1, 0)).toThrow(UsageError);
    expect(() => checkDeviceLimit(MAX_CPU_DEVICES, 0)).not.toThrow();
    expect(() => checkDeviceLimit(undefined, 0)).not.toThrow();
    expect(() => checkDeviceLimit(MAX_CPU_DEVICES + 1, 2)).not.toThrow();
  });
});
