import { createRequire } from "node:module";
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from "ajv";
import { checkPlanMeaning, formatPlanProblem } from "./plan-meaning.js";
import { PLAN_SCHEMA } from "./plan-schema.js";
import { PLAN_VERSION, type Plan } from "./plan-types.js";

/** Why a plan file could not be used, for a person: never a stack trace. */
export interface PlanLoadError {
  readonly error: string;
  /**
   * A plan that parses and fits the schema but does not make sense: one `field.path: why` per problem, for the
   * CLI to print one a line (`error` joins them).
   */
  readonly problems?: readonly string[];
}

export function isPlanLoadError(p: Plan | PlanLoadError): p is PlanLoadError {
  return "error" in p && !("format" in p);
}

// Loaded and compiled on first use: ajv's loading and the schema's compiling take tens of milliseconds that
// `mgpuc --version`, `check` and `--emit` never need (start-up, issue 14).
let validator: ValidateFunction | undefined;

function planValidator(): ValidateFunction {
  if (!validator) {
    const { Ajv } = createRequire(import.meta.url)("ajv") as { Ajv: typeof AjvClass };
    validator = new Ajv({ allErrors: true, strict: false }).compile(PLAN_SCHEMA);
  }
  return validator;
}

/** Whether `value` fits plan.schema.json; `planSchemaErrors()` then says where it does not. */
export function validatePlanObject(value: unknown): boolean {
  return planValidator()(value);
}

/** The schema errors of the last `validatePlanObject` call. */
export function planSchemaErrors(): readonly ErrorObject[] {
  return planValidator().errors ?? [];
}

function describe(errors: readonly ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath === "" ? "plan" : `plan${e.instancePath.replace(/\//g, ".")}`} ${e.message ?? "is invalid"}`,
    )
    .join("; ");
}

/**
 * Parses and validates a plan. Truncated or invalid JSON, a plan from a newer mgpuc, a plan missing required
 * fields, or one whose fields do not fit together (`checkPlanMeaning`) come back as a clear message.
 */
export function loadPlan(text: string): Plan | PlanLoadError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const truncated = text.trim() === "" || endsOpen(text);
    return {
      error: truncated
        ? "the plan is not complete JSON (truncated file?); compile it again with `mgpuc FILE.model -o PLAN.json`"
        : `the plan is not valid JSON: ${(e as Error).message}`,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: "the plan must be a JSON object" };
  }
  const o = value as Record<string, unknown>;
  if (o.format !== "mgpuc-plan") return { error: 'not an mgpuc plan: "format" must be "mgpuc-plan"' };
  if (typeof o.version === "number" && o.version > PLAN_VERSION) {
    return {
      error: `the plan has version ${o.version}, newer than this mgpuc reads (${PLAN_VERSION}); upgrade mgpuc or compile the plan with this version`,
    };
  }
  if (!validatePlanObject(value)) return { error: `invalid plan: ${describe(planSchemaErrors())}` };
  const problems = checkPlanMeaning(value as Plan).map(formatPlanProblem);
  if (problems.length > 0) return { error: `invalid plan: ${problems.slice(0, 5).join("; ")}`, problems };
  return value as Plan;
}

/**
 * Whether JSON text stops inside a string or with brackets left open: a file cut short. Node's parse error
 * for a cut file depends on where the cut falls ("Unexpected end", "Expected ',' or ']'"), so count instead.
 */
function endsOpen(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return inString || depth > 0;
}
