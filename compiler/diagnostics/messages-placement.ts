import type { MessageEntry } from "./messages.js";

/** MG3xxx: devices, memory, hints, strategies, profiles. */
export const PLACEMENT_MESSAGES = {
  MG3001: {
    severity: "error",
    message:
      "model '{0}' does not fit: it needs {1} per device on {2} × {3} under strategy {4}, and a device has {5}",
  },
  MG3002: { severity: "error", message: "@model on '{0}' cannot be honoured: {1} layers cannot be split" },
  MG3003: { severity: "error", message: "@model on '{0}' needs more than one device; the plan has {1}" },
  MG3004: {
    severity: "error",
    message: "@devices({0}) on '{1}' cannot be honoured: it must divide the device count {2}",
  },
  MG3005: {
    severity: "error",
    message: "@stage({0}) on '{1}' cannot be honoured: {2} devices allow stages 0 to {3}",
  },
  MG3006: {
    severity: "warning",
    message: "placement hints are followed under strategy auto only; strategy {0} ignores them",
  },
  MG3007: { severity: "error", message: "hints on '{0}' contradict each other: {1}" },
  MG3008: {
    severity: "error",
    message: "no plan satisfies the placement hints within {0} per device on {1} × {2}",
  },
  MG3009: {
    severity: "error",
    message:
      "stages given by @stage hints must follow the layer order: '{0}' is in stage {1} after a layer in stage {2}",
  },
  MG3013: { severity: "error", message: "{0} on '{1}' cannot be honoured on {2} devices: {3}" },
  MG3014: {
    severity: "error",
    message: "@model after block call '{0}' cannot be honoured: none of the block's layers can be split",
  },
  MG3015: {
    severity: "error",
    message: "{0} on '{1}' contradicts {2} on '{3}' in the pipeline the @stage hints make: {4}",
  },
  MG3016: { severity: "error", message: "{0} on '{1}' cannot be honoured: {2}" },
  MG3010: { severity: "error", message: "cannot load device profile: {0}" },
  MG3011: { severity: "error", message: "devices must be at least 1, got {0}" },
  MG3012: { severity: "error", message: "microbatches must be at least 1, got {0}" },
} as const satisfies Record<string, MessageEntry>;
