/**
 * The language server's work per edit (issue 19): `analyse` of the ResNet50 example (every diagnostic `mgpuc check`
 * gives, and each model's graph), after a warm-up, as `mgpuc lsp` does on each change. Goal: under 50 ms.
 * Prints a line and writes bench/results/lsp.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { analyse } from "../cli/lsp/analysis.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const text = readFileSync(join(root, "examples", "resnet50.model"), "utf8");
for (let i = 0; i < 10; i++) analyse("resnet50.model", text);
const ms: number[] = [];
for (let i = 0; i < 30; i++) {
  // An edit: the text changes each time, as typing changes it.
  const edited = `${text}\n// edit ${i}\n`;
  const t0 = performance.now();
  analyse("resnet50.model", edited);
  ms.push(performance.now() - t0);
}
ms.sort((a, b) => a - b);
const result = { best: ms[0]!, median: ms[15]!, worst: ms.at(-1)! };
console.log(
  `lsp diagnostics for examples/resnet50.model after an edit: best ${result.best.toFixed(1)} ms, ` +
    `median ${result.median.toFixed(1)} ms, worst ${result.worst.toFixed(1)} ms (goal < 50 ms)`,
);
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "lsp.json"), `${JSON.stringify(result, null, 2)}\n`);
