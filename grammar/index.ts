export { parse, MAX_NESTING, type ParseResult } from "./parse.js";
export type * from "./ast.js";
