// `npm run fuzz`: 100,000 random front-end inputs (token soups, truncations and single-character mutations of
// the examples); exits non-zero with the shrunk counterexample if any makes the front end throw or misplace a span.
import fc from "fast-check";
import { frontEndHolds, mutation, tokenSoup, truncation } from "./front-end-property.js";

const TOTAL = 100_000;
const runs = { "token soups": 40_000, truncations: 20_000, mutations: 40_000 };
const arbitraries = { "token soups": tokenSoup, truncations: truncation, mutations: mutation };
let done = 0;
for (const [label, numRuns] of Object.entries(runs) as [keyof typeof runs, number][]) {
  fc.assert(fc.property(arbitraries[label], frontEndHolds), { numRuns });
  done += numRuns;
  console.log(`${label}: ${numRuns.toLocaleString("en-US")} cases`);
}
console.log(`${done.toLocaleString("en-US")} of ${TOTAL.toLocaleString("en-US")} cases: no crash`);
