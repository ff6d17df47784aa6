import { readSource, compileSource } from "/work/main/compiler/pipeline.js";
for (const f of ["mnist","residual","cnn"]) for (const [strategy, devices, mb] of [["model",2,1],["pipeline",3,4],["auto",4,undefined]] as const) {
  const r = compileSource(readSource(`/work/main/examples/${f}.model`), { strategy, devices, ...(mb?{microbatches:mb}:{}) });
  const p = r.plan!;
  if (!p) { console.log(f, strategy, r.diagnostics.map(d=>d.message)); continue; }
  console.log(f, strategy, devices, "stages", p.predicted.stages, "mb", p.predicted.microbatches);
  for (const l of p.layers) console.log("  ", l.name, l.op, JSON.stringify(l.inputs), JSON.stringify(l.outputShape), JSON.stringify(l.placement));
  if (f==="mnist") console.log(JSON.stringify(p.schedule.segments), JSON.stringify(p.schedule.gradientBuckets));
}
