import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node";
import { mutation, tokenSoup, truncation } from "../fuzz/front-end-property.js";
import { REPO, runCli } from "../support/run-cli.js";

/**
 * `mgpuc lsp --stdio` driven as an editor drives it (issue 19): a JSON-RPC client over the process's stdin and
 * stdout, opening and editing a document, asking for hover, completion, definitions, references, symbols,
 * formatting and quick fixes.
 */

const URI = "file:///work/broken.model";
const BROKEN = `block twice(x, n: int) {
  h = dense(n, activation: relu)
  dens(n)
}
model M {
  input image: [28, 28]
  flatten
  hidden = dense(32, activation: relu)
  twice(hidden, 16)
  dense(10, activation: softmax)
}
train M { data: mnist loss: sparse_categorical_crossentropy }
parallel M { devices: 2 }
`;

interface PublishedDiagnostics {
  readonly uri: string;
  readonly diagnostics: readonly {
    readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
    readonly code: string;
    readonly message: string;
    readonly severity: number;
  }[];
}

describe("mgpuc lsp over stdio", () => {
  let server: ChildProcess;
  let client: MessageConnection;
  const published: PublishedDiagnostics[] = [];
  const waiters: ((p: PublishedDiagnostics) => void)[] = [];
  const nextDiagnostics = () => new Promise<PublishedDiagnostics>((resolve) => waiters.push(resolve));

  beforeAll(async () => {
    server = spawn(process.execPath, ["--import", "tsx", join(REPO, "cli", "main.ts"), "lsp", "--stdio"], {
      cwd: REPO,
      stdio: ["pipe", "pipe", "inherit"],
    });
    client = createMessageConnection(
      new StreamMessageReader(server.stdout!),
      new StreamMessageWriter(server.stdin!),
    );
    client.onNotification("textDocument/publishDiagnostics", (p: PublishedDiagnostics) => {
      published.push(p);
      waiters.shift()?.(p);
    });
    client.listen();
    const init = await client.sendRequest<{ capabilities: Record<string, unknown> }>("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    expect(init.capabilities).toMatchObject({ hoverProvider: true, documentFormattingProvider: true });
    await client.sendNotification("initialized", {});
  }, 60_000);

  afterAll(() => {
    client?.dispose();
    server?.kill();
  });

  it("pushes the diagnostics `mgpuc check --json` gives, as you open and as you type", async () => {
    const opened = nextDiagnostics();
    await client.sendNotification("textDocument/didOpen", {
      textDocument: { uri: URI, languageId: "mgpuc", version: 1, text: BROKEN },
    });
    const first = await opened;
    expect(first.uri).toBe(URI);
    const typo = first.diagnostics.find((d) => d.code === "MG1003")!;
    expect(typo.message).toContain("did you mean 'dense'?");
    expect(typo.range.start).toEqual({ line: 2, character: 2 });
    // The same diagnostics as the CLI's, at the same places.
    const file = join(mkdtempSync(join(tmpdir(), "mgpuc-lsp-")), "broken.model");
    writeFileSync(file, BROKEN);
    const check = await runCli(["check", "--json", file]);
    const cli = check.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { code: string; line: number; column: number });
    expect(cli.length).toBeGreaterThan(0);
    expect(
      first.diagnostics.map((d) => [d.code, d.range.start.line + 1, d.range.start.character + 1]),
    ).toEqual(cli.map((d) => [d.code, d.line, d.column]));

    const edited = nextDiagnostics();
    await client.sendNotification("textDocument/didChange", {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [
        { range: { start: { line: 2, character: 2 }, end: { line: 2, character: 6 } }, text: "dense" },
      ],
    });
    const after = await edited;
    expect(after.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
  }, 60_000);

  it("hovers a layer with its output shape, parameters and placement", async () => {
    const hover = await client.sendRequest<{ contents: { value: string } } | null>("textDocument/hover", {
      textDocument: { uri: URI },
      position: { line: 7, character: 12 },
    });
    expect(hover?.contents.value).toContain("**hidden** `dense` → [32] · 25,120 parameters");
    expect(hover?.contents.value).toMatch(/placed (data|model)×\d+: compute \d+\.\d\d ms, communication/);
  });

  it("completes layers, a layer's keyword arguments and section keys", async () => {
    const complete = (line: number, character: number) =>
      client.sendRequest<{ label: string }[]>("textDocument/completion", {
        textDocument: { uri: URI },
        position: { line, character },
      });
    const layers = (await complete(6, 2)).map((c) => c.label);
    expect(layers).toEqual(expect.arrayContaining(["dense", "conv2d", "twice"]));
    const args = (await complete(7, 20)).map((c) => c.label);
    expect(args).toEqual(["units", "activation", "use_bias"]);
    const line7 = BROKEN.split("\n")[7]!;
    const values = (await complete(7, line7.indexOf("relu"))).map((c) => c.label);
    expect(values).toEqual(expect.arrayContaining(["relu", "softmax", "linear"]));
    const inScope = (await complete(9, 2)).map((c) => c.label);
    expect(inScope).toEqual(expect.arrayContaining(["image", "hidden", "dense"]));
    const keys = (await complete(11, 10)).map((c) => c.label);
    expect(keys).toContain("optimizer");
  });

  it("goes to definitions and finds references of blocks and bound names", async () => {
    const definition = await client.sendRequest<{ range: { start: { line: number } } }[]>(
      "textDocument/definition",
      {
        textDocument: { uri: URI },
        position: { line: 8, character: 3 },
      },
    );
    expect(definition.map((d) => d.range.start.line)).toEqual([0]);
    const references = await client.sendRequest<{ range: { start: { line: number } } }[]>(
      "textDocument/references",
      {
        textDocument: { uri: URI },
        position: { line: 7, character: 3 },
        context: { includeDeclaration: true },
      },
    );
    expect(references.map((r) => r.range.start.line)).toEqual([7, 8]);
  });

  it("lists symbols, formats, and offers the did-you-mean fix as a quick fix", async () => {
    const symbols = await client.sendRequest<{ name: string }[]>("textDocument/documentSymbol", {
      textDocument: { uri: URI },
    });
    expect(symbols.map((s) => s.name)).toEqual(["twice", "M", "train M", "parallel M"]);
    const edits = await client.sendRequest<{ newText: string }[]>("textDocument/formatting", {
      textDocument: { uri: URI },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toContain(
      "train M {\n  data: mnist\n  loss: sparse_categorical_crossentropy\n}",
    );
    const diagnostic = {
      range: { start: { line: 2, character: 2 }, end: { line: 2, character: 6 } },
      message: "unknown layer 'dens'\nhint: did you mean 'dense'?",
      code: "MG1003",
    };
    const actions = await client.sendRequest<
      { title: string; edit: { changes: Record<string, { newText: string }[]> } }[]
    >("textDocument/codeAction", {
      textDocument: { uri: URI },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    expect(actions.map((a) => a.title)).toEqual(["Change to 'dense'"]);
    expect(actions[0]!.edit.changes[URI]![0]!.newText).toBe("dense");
  });

  it("never crashes on broken input: prefixes of the file and the fuzzer's inputs as edits still answer", async () => {
    const inputs = [
      ...Array.from({ length: 12 }, (_, i) => BROKEN.slice(0, Math.floor((i * BROKEN.length) / 11))),
      ...fc.sample(fc.oneof(mutation, truncation, tokenSoup), { numRuns: 60, seed: 19 }),
    ];
    let version = 100;
    for (const text of inputs) {
      const published = nextDiagnostics();
      await client.sendNotification("textDocument/didChange", {
        textDocument: { uri: URI, version: version++ },
        contentChanges: [{ text }],
      });
      await published;
    }
    const hover = await client.sendRequest("textDocument/hover", {
      textDocument: { uri: URI },
      position: { line: 0, character: 0 },
    });
    expect(hover === null || typeof hover === "object").toBe(true);
    expect(server.exitCode).toBeNull();
  }, 60_000);
});
