// The resolve hook of import-log.mjs (module hooks run on their own thread, so the log is a file).
import { appendFileSync } from "node:fs";
import process from "node:process";

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.IMPORT_LOG) appendFileSync(process.env.IMPORT_LOG, `esm ${resolved.url}\n`);
  return resolved;
}
