import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createToken, type CstNode } from "chevrotain";
import { describe, expect, it } from "vitest";
import { ModelParser } from "../../grammar/parser.js";
import { RecordingParser } from "../../grammar/recording-parser.js";
import { MODEL_LEXER } from "../../grammar/tokens.js";
import { REPO } from "../support/run-cli.js";

/**
 * grammar/recording-parser.ts changes where chevrotain puts its recording methods while it records the grammar
 * (start-up time). The grammar it records, and the parser it leaves, must be what chevrotain's own recording gives.
 */

/** Builds a ModelParser with chevrotain's own enableRecording/disableRecording, as if RecordingParser had none. */
function withChevrotainRecording(): ModelParser {
  const prototype = RecordingParser.prototype as unknown as Record<string, unknown>;
  const saved = { enableRecording: prototype.enableRecording, disableRecording: prototype.disableRecording };
  delete prototype.enableRecording;
  delete prototype.disableRecording;
  try {
    return new ModelParser();
  } finally {
    Object.assign(prototype, saved);
  }
}

function parseWith(parser: ModelParser, text: string): { cst: string; errors: string[] } {
  parser.input = MODEL_LEXER.tokenize(text).tokens;
  const cst: CstNode = parser.file();
  const errors = parser.errors.map((e) => `${e.token.startOffset}: ${e.message}`);
  parser.input = [];
  // Token types are shared objects; their names say the same.
  return {
    cst: JSON.stringify(cst, (key, value: unknown) =>
      key === "tokenType" ? (value as { name: string }).name : value,
    ),
    errors,
  };
}

describe("RecordingParser", () => {
  const ours = new ModelParser();
  const theirs = withChevrotainRecording();

  it("records the grammar that chevrotain's own recording does", () => {
    const grammar = ours.getSerializedGastProductions();
    expect(grammar.length).toBeGreaterThan(10);
    expect(grammar).toEqual(theirs.getSerializedGastProductions());
  });

  it("leaves the parser as chevrotain's recording does: same prototype, same own properties, not recording", () => {
    expect(Object.getPrototypeOf(ours)).toBe(ModelParser.prototype);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(Object.hasOwn(ours, "CONSUME")).toBe(false);
    expect((ours as unknown as { RECORDING_PHASE: boolean }).RECORDING_PHASE).toBe(false);
  });

  it("is RECORDING_PHASE while it records, as chevrotain's is, and not after", () => {
    const Word = createToken({ name: "Word", pattern: /[a-z]+/ });
    class Probe extends RecordingParser {
      readonly phases: boolean[] = [];
      constructor() {
        super([Word]);
        this.performSelfAnalysis();
      }
      word = this.RULE("word", () => {
        this.phases.push((this as unknown as { RECORDING_PHASE: boolean }).RECORDING_PHASE);
        this.CONSUME(Word);
      });
    }
    const probe = new Probe();
    probe.input = [{ image: "a", startOffset: 0, tokenType: Word } as never];
    probe.word();
    expect(probe.phases).toEqual([true, false]);
  });

  it("parses as chevrotain's does, valid input and broken", () => {
    const mnist = readFileSync(join(REPO, "examples", "mnist.model"), "utf8");
    const broken = mnist.replace("dense(128, activation: relu)", "dense(128, activation: ) ->");
    for (const text of [mnist, broken]) expect(parseWith(ours, text)).toEqual(parseWith(theirs, text));
    expect(parseWith(ours, broken).errors).not.toEqual([]);
  });
});
