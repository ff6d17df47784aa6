import { describe, expect, it } from "vitest";
import { diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { renderDiagnostics } from "../../compiler/diagnostics/render.js";
import { SourceFile } from "../../compiler/diagnostics/span.js";

const render = (source: SourceFile, start: number, end: number) =>
  renderDiagnostics([diagnostic("MG1001", source.span(start, end), ["x"])], () => source, { color: false });

describe("rendering diagnostics", () => {
  it("prints FILE:LINE:COL, the code, the line and ~~~ under the span, then a count", () => {
    const source = new SourceFile("m.model", "model M {\n  dens(2)\n}\n");
    const start = source.text.indexOf("dens");
    expect(render(source, start, start + 4)).toBe(
      "m.model:2:3 error MG1001: syntax error: x\n  2 |   dens(2)\n    |   ~~~~\n1 error\n",
    );
  });

  it("marks an empty span (end of file) with a caret", () => {
    const source = new SourceFile("m.model", "model M {");
    expect(render(source, 9, 9)).toContain("    |          ^");
  });

  it("cuts a very long line to a window around the span, keeping the marker under it", () => {
    const source = new SourceFile("m.model", `${" ".repeat(300)}dens(2)\n`);
    const out = render(source, 300, 304).split("\n");
    expect(out[1]!.length).toBeLessThan(140);
    const text = out[1]!.slice(out[1]!.indexOf("| ") + 2);
    const marker = out[2]!.slice(out[2]!.indexOf("| ") + 2);
    expect(text.slice(marker.indexOf("~"), marker.indexOf("~") + 4)).toBe("dens");
    expect(text.startsWith("…")).toBe(true);
  });
});
