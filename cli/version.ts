/** mgpuc's version, printed by `mgpuc --version` and in the training banner. */
export const VERSION = "0.1.0";
