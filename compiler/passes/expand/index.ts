export { dumpExpanded, formatArgs, formatValue } from "./dump.js";
export { MAX_EXPANSION_DEPTH, MAX_LAYERS } from "./limits.js";
export { SECTION_KEYS } from "./sections.js";
