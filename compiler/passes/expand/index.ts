export { dumpExpanded } from "./dump.js";
export { formatArgs, formatValue } from "../../ir/values.js";
export { MAX_EXPANSION_DEPTH, MAX_LAYERS } from "./limits.js";
export { SECTION_KEYS } from "./sections.js";
