import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/run-cli.js";

/** The VS Code extension's static parts (issue 19): its manifest points at files that exist, and its grammar colours. */
const dir = join(REPO, "editors", "vscode");
const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
  main: string;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
  };
};

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, { name: string }>;
  patterns?: Rule[];
  include?: string;
}

describe("editors/vscode", () => {
  it("contributes the .model language, its configuration, grammar and client", () => {
    const [language] = manifest.contributes.languages;
    expect(language).toMatchObject({ id: "mgpuc", extensions: [".model"] });
    const [grammar] = manifest.contributes.grammars;
    expect(grammar).toMatchObject({ language: "mgpuc", scopeName: "source.mgpuc" });
    for (const file of [language!.configuration, grammar!.path, manifest.main])
      expect(existsSync(join(dir, file)), file).toBe(true);
  });

  it("colours an example: every rule compiles, and keywords, layers, hints and comments get their scopes", () => {
    const grammar = JSON.parse(readFileSync(join(dir, manifest.contributes.grammars[0]!.path), "utf8")) as {
      patterns: Rule[];
      repository: Record<string, Rule>;
    };
    const rules: Rule[] = [];
    const walk = (r: Rule) => {
      if (r.include) walk(grammar.repository[r.include.slice(1)]!);
      else {
        rules.push(r);
        r.patterns?.forEach(walk);
      }
    };
    grammar.patterns.forEach(walk);
    const text = readFileSync(join(REPO, "examples", "residual.model"), "utf8");
    const scopes = new Set<string>();
    for (const r of rules) {
      for (const source of [r.match, r.begin, r.end])
        if (source) expect(() => new RegExp(source, "gm")).not.toThrow();
      if (!r.match) continue;
      for (const m of text.matchAll(new RegExp(r.match, "gm"))) {
        if (r.name) scopes.add(`${r.name}:${m[0]}`);
        for (const [i, c] of Object.entries(r.captures ?? {}))
          if (m[Number(i)]) scopes.add(`${c.name}:${m[Number(i)]}`);
      }
    }
    expect([...scopes]).toEqual(
      expect.arrayContaining([
        "keyword.declaration.mgpuc:block",
        "entity.name.type.mgpuc:residual",
        "entity.name.function.mgpuc:conv2d",
        "keyword.operator.mgpuc:->",
      ]),
    );
    expect([...scopes].some((s) => s.startsWith("comment.line.double-slash.mgpuc://"))).toBe(true);
  });
});
