export * from "./span.js";
export * from "./diagnostic.js";
export * from "./messages.js";
export * from "./render.js";
export * from "./suggest.js";
export * from "./with-commas.js";
