export * from "./values.js";
export * from "./expanded.js";
export * from "./graph.js";
export * from "./verify.js";
