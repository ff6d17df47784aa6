import type { MessageEntry } from "./messages.js";

/** MG2xxx: argument types and ranges, shapes, data sources, loss/output agreement. */
export const SHAPE_MESSAGES = {
  // Shapes (infer-shapes), at the layer's span.
  MG2001: { severity: "error", message: "{0} expects [height, width, channels] per sample, got {1}; {2}" },
  MG2002: { severity: "error", message: "{0} expects at least one axis per sample, got {1}" },
  MG2003: { severity: "error", message: "{0} window {1} is larger than its input {2}" },
  MG2004: {
    severity: "error",
    message: "{0} with kernel {1} and padding valid leaves nothing of its input {2}",
  },
  MG2005: { severity: "error", message: "{0} needs inputs of the same shape, got {1}" },
  MG2006: {
    severity: "error",
    message: "concat along axis {0} needs inputs equal on every other axis, got {1}",
  },
  MG2007: { severity: "error", message: "concat axis {0} is out of range for inputs of rank {1}" },
  MG2008: {
    severity: "error",
    message: "reshape to {0} needs {1} elements per sample, but its input {2} has {3}",
  },
  MG2009: { severity: "error", message: "reshape target {0} does not divide its input's {1} elements" },
  MG2020: { severity: "error", message: "{0} takes {1} tensor input(s), got {2}" },
  MG2021: {
    severity: "error",
    message: "{0} cannot combine strides {1} with dilation {2}: one of them must be 1 (as in Keras)",
  },
  MG2022: { severity: "error", message: "{0} expects [positions, features] per sample, got {1}" },
  MG2023: {
    severity: "error",
    message: "attention with {0} heads needs key_dim: its input's width {1} is not divisible by {0}",
  },
  MG2024: {
    severity: "error",
    message: "position_embedding(max_length: {0}) is shorter than its input's {1} positions",
  },
  // Arguments (lower), at the argument's span.
  MG2010: { severity: "error", message: "unknown argument '{0}' for {1}" },
  MG2011: { severity: "error", message: "{0} takes at most {1} positional argument(s), got {2}" },
  MG2012: { severity: "error", message: "{0} is missing its required argument '{1}'" },
  MG2013: { severity: "error", message: "argument '{0}' of {1} is given twice" },
  MG2014: { severity: "error", message: "argument '{0}' of {1} expects {2}, got {3}" },
  MG2015: {
    severity: "error",
    message: "unknown value '{0}' for argument '{1}' of {2}; expected one of {3}",
  },
  MG2016: { severity: "error", message: "argument '{0}' of {1} must be {2}, got {3}" },
  // Data and loss (check-data).
  MG2104: { severity: "error", message: "data '{0}' gives samples of shape {1}; input '{2}' expects {3}" },
  MG2105: {
    severity: "error",
    message:
      "loss '{0}' needs an output of shape [classes] with at least 2 classes; output '{1}' has shape {2}",
  },
  MG2106: {
    severity: "error",
    message: "loss 'binary_crossentropy' needs an output whose last axis is 1; output '{0}' has shape {1}",
  },
  MG2107: {
    severity: "error",
    message: "the data has {0} classes but output '{1}' has {2}",
  },
  MG2108: {
    severity: "error",
    message: "loss '{0}' needs {1} labels, but data '{2}' gives {3} labels",
  },
  MG2109: { severity: "error", message: "training feeds one input and one output; model '{0}' has {1}" },
  MG2110: { severity: "error", message: "cannot read data '{0}': {1}" },
  MG2111: { severity: "error", message: "csv file '{0}' has no column named '{1}'; its columns are {2}" },
  MG2112: {
    severity: "error",
    message:
      "`target: input` needs the output shaped like the input: output '{0}' has shape {1}, input '{2}' is {3}",
  },
  MG2113: {
    severity: "error",
    message: "loss '{0}' needs class labels, but `target: input` compares the output with the input",
  },
  MG2114: {
    severity: "error",
    message:
      "loss '{0}' compares the output with one label value per sample, but output '{1}' has shape {2} ({3} values)",
  },
  MG2115: {
    severity: "error",
    message: "data '{0}' gives integer character ids; input '{1}' is declared {2}",
  },
  MG2116: {
    severity: "error",
    message: "data '{0}' has {1} distinct characters but embedding '{2}' takes ids below {3}",
  },
  MG2117: {
    severity: "error",
    message: "loss '{0}' scores every position of the text: output '{1}' must be {2}, got {3}",
  },
  MG2118: {
    severity: "error",
    message:
      "the validation text has {0} character(s) the training data '{2}' lacks ({1}): the model has no id for them",
  },
  // The train and parallel sections (resolve-config), at the value's span.
  MG2201: { severity: "error", message: "unknown {0} '{1}'; expected one of {2}" },
  MG2202: { severity: "error", message: "'{0}' expects {1}, got {2}" },
  MG2203: { severity: "error", message: "'{0}' must be {1}, got {2}" },
  MG2204: {
    severity: "warning",
    message: "data file '{0}' does not exist (yet); training will fail without it",
  },
} as const satisfies Record<string, MessageEntry>;
