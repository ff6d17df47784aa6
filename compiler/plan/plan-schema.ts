/**
 * The plan's JSON schema, in code: the required core of `shared/design/plan.schema.json` plus what the runtime
 * needs to rebuild and run the model without the `.model` file (graph, per-layer inputs/attrs/dtype, schedule).
 * The same object validates what `emitPlan` writes (in tests) and what `loadPlan` reads.
 */
const num = { type: "number" } as const;
const int = { type: "integer", minimum: 0 } as const;
const str = { type: "string" } as const;
const strings = { type: "array", items: str } as const;
const ints = { type: "array", items: int } as const;

const placement = {
  type: "object",
  required: ["kind", "dataDegree", "modelDegree", "stage", "devices"],
  properties: {
    kind: { enum: ["data", "model", "hybrid"] },
    dataDegree: { type: "integer", minimum: 1 },
    modelDegree: { type: "integer", minimum: 1 },
    stage: int,
    devices: ints,
    // v2 (optional: version 1 plans load): which axis a layer with model degree > 1 is cut on.
    split: { enum: ["none", "units", "channels", "heads", "vocabulary", "input_features"] },
  },
} as const;

/** v2, optional: what a layer's configuration communicates each step. */
const collectives = {
  type: "array",
  items: {
    type: "object",
    required: ["kind", "bytes"],
    properties: {
      kind: { enum: ["all-reduce", "all-gather", "reduce-scatter", "send-recv", "all-to-all"] },
      bytes: { type: "number", minimum: 0 },
      phase: { enum: ["forward", "backward", "update"] },
    },
  },
} as const;

const layer = {
  type: "object",
  required: [
    "name",
    "op",
    "inputs",
    "attrs",
    "dtype",
    "outputShape",
    "params",
    "trainableParams",
    "flops",
    "placement",
    "predicted",
    "runnerUp",
    "reason",
  ],
  properties: {
    name: str,
    op: str,
    inputs: strings,
    attrs: { type: "object" },
    dtype: { enum: ["float32", "int32"] },
    outputShape: { type: "array", items: { type: "integer", minimum: 1 } },
    params: int,
    trainableParams: int,
    flops: { type: "number", minimum: 0 },
    placement,
    predicted: {
      type: "object",
      required: ["computeMs", "commMs", "memoryBytes"],
      properties: { computeMs: num, commMs: num, memoryBytes: num },
    },
    runnerUp: {
      anyOf: [
        { type: "null" },
        {
          type: "object",
          required: ["config", "dataDegree", "modelDegree", "stage", "extraMs"],
          properties: { config: str, dataDegree: int, modelDegree: int, stage: int, extraMs: num },
        },
      ],
    },
    reason: str,
    collectives,
  },
} as const;

const schedule = {
  type: "object",
  required: [
    "stages",
    "microbatches",
    "microbatchOrder",
    "segments",
    "transfers",
    "gradientBuckets",
    "programs",
  ],
  properties: {
    stages: { type: "integer", minimum: 1 },
    microbatches: { type: "integer", minimum: 1 },
    microbatchOrder: { enum: ["1f1b", "gpipe"] },
    optimizerSharding: { enum: ["zero-1"] },
    segments: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "stage", "dataDegree", "modelDegree", "devices", "layers"],
        properties: {
          id: int,
          stage: int,
          dataDegree: int,
          modelDegree: int,
          devices: ints,
          layers: strings,
        },
      },
    },
    transfers: {
      type: "array",
      items: {
        type: "object",
        required: ["tensor", "to", "fromSegment", "toSegment", "kind", "bytes"],
        properties: {
          tensor: str,
          to: str,
          fromSegment: int,
          toSegment: int,
          kind: { enum: ["all-reduce", "all-gather", "all-to-all", "slice", "send-recv"] },
          bytes: num,
        },
      },
    },
    gradientBuckets: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "segment", "layers", "bytes", "groups"],
        properties: {
          id: int,
          segment: int,
          layers: strings,
          bytes: num,
          groups: { type: "array", items: ints },
        },
      },
    },
    programs: {
      type: "array",
      items: {
        type: "object",
        required: ["device", "stage", "steps"],
        properties: {
          device: int,
          stage: int,
          steps: {
            type: "array",
            items: {
              type: "object",
              required: ["op"],
              properties: {
                op: { enum: ["forward", "backward", "all-reduce", "apply"] },
                segment: int,
                microbatch: int,
                bucket: int,
              },
            },
          },
        },
      },
    },
  },
} as const;

export const PLAN_SCHEMA = {
  type: "object",
  required: [
    "format",
    "version",
    "model",
    "strategy",
    "devices",
    "graph",
    "layers",
    "predicted",
    "training",
    "schedule",
  ],
  properties: {
    format: { const: "mgpuc-plan" },
    version: { type: "integer", minimum: 1 },
    model: str,
    strategy: { enum: ["auto", "data", "model", "pipeline"] },
    devices: {
      type: "object",
      required: ["count", "profile"],
      properties: {
        count: { type: "integer", minimum: 1 },
        profile: str,
        memoryBytes: num,
        rate: { enum: ["fp32", "tensor"] },
        // Optional: set when `auto` uses fewer devices than it was allowed.
        allowed: { type: "integer", minimum: 1 },
      },
    },
    graph: {
      type: "object",
      required: ["inputs", "outputs"],
      properties: { inputs: strings, outputs: strings },
    },
    layers: { type: "array", items: layer },
    predicted: {
      type: "object",
      required: ["stepTimeMs", "baselines", "memoryPerDeviceBytes"],
      properties: {
        stepTimeMs: num,
        baselines: {
          type: "object",
          required: ["data", "model", "pipeline"],
          properties: {
            data: { type: ["number", "null"] },
            model: { type: ["number", "null"] },
            pipeline: { type: ["number", "null"] },
          },
        },
        memoryPerDeviceBytes: { type: "array", items: num },
        stages: { type: "integer", minimum: 1 },
        microbatches: { type: "integer", minimum: 1 },
        allAllowedStepTimeMs: { type: ["number", "null"] },
      },
    },
    training: {
      type: "object",
      required: ["batch", "epochs", "optimizer", "loss", "metrics", "data", "validation", "seed"],
      properties: {
        batch: { type: "integer", minimum: 1 },
        epochs: { type: "integer", minimum: 1 },
        optimizer: { type: "object", required: ["kind"] },
        metrics: strings,
        seed: { type: "integer" },
      },
    },
    schedule,
  },
} as const;
