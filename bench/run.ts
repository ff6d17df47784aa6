/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own process, one after another (they time things, so
 * they must not compete for the two cores), then lists where each wrote its JSON. Pass names to run a subset:
 * `npm run bench -- frontend placement`; flags go to every bench run (`npm run bench -- tiny-gpt --quick`).
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// Names pick benches; flags (`--quick`) go to each bench that runs.
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const flags = process.argv.slice(2).filter((a) => a.startsWith("--"));
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, "")))
  .sort();

let failed = 0;
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, bench), ...flags], {
    stdio: "inherit",
  });
  if (r.status !== 0) {
    failed++;
    console.log(`(${bench} exited with ${r.status ?? r.signal})`);
  }
}
console.log(`\n${benches.length - failed} of ${benches.length} benchmarks ran; JSON in bench/results/`);
process.exitCode = failed > 0 ? 1 : 0;
