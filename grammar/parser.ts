import {
  CstParser,
  EOF,
  type CstNode,
  type IOrAlt,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from "chevrotain";
import { isReal } from "./cst-helpers.js";
import { RecordingParser } from "./recording-parser.js";
import * as T from "./tokens.js";

const chevrotainTreeBuilder = CstParser.prototype as unknown as {
  cstPostNonTerminal(this: CstParser, result: CstNode, ruleName: string): void;
  cstPostTerminal(this: CstParser, key: string, token: IToken): void;
};

/** Names a token the way the user wrote it, for "expected ')' but found 'x'". */
export function describeToken(token: IToken): string {
  if (token.tokenType === EOF || Number.isNaN(token.startOffset)) return "end of file";
  return `'${token.image.length > 20 ? `${token.image.slice(0, 20)}...` : token.image}'`;
}

function label(type: TokenType): string {
  if (type === EOF) return "end of file";
  return type.LABEL ?? type.name;
}

function firstTokens(paths: readonly (readonly TokenType[])[]): string {
  const names = [...new Set(paths.map((p) => (p[0] ? label(p[0]) : "end of input")))];
  if (names.length <= 1) return names[0] ?? "something else";
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

const RULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  file: "a declaration ('model', 'block', 'train' or 'parallel')",
  statement: "a statement",
  value: "a value",
  element: "a layer, block or tensor",
};

/** Plain-language messages instead of chevrotain's `--> RBrace <--` notation. */
const MESSAGES: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    expected === EOF
      ? `unexpected ${describeToken(actual)}; expected ${RULE_DESCRIPTIONS.file}`
      : `expected ${label(expected)} but found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `unexpected ${describeToken(firstRedundant)}; expected ${RULE_DESCRIPTIONS.file}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) => {
    const found = actual[0] ? describeToken(actual[0]) : "end of file";
    const wanted = RULE_DESCRIPTIONS[ruleName] ?? firstTokens(expectedPathsPerAlt.flat());
    return `expected ${wanted} but found ${found}`;
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) => {
    const found = actual[0] ? describeToken(actual[0]) : "end of file";
    return `expected ${firstTokens(expectedIterationPaths)} but found ${found}`;
  },
};

/**
 * The grammar of LANGUAGE.md, with no semantic actions: it builds a CST that `build-ast.ts` turns into the AST.
 * Statement alternatives are ordered so that a declaration keyword wins over a name where both could match.
 *
 * Alternatives and separator options are built once, as fields, not inside the rules: the rules run once per
 * node parsed, and rebuilding closures there (each named by the TypeScript loader) dominated parse time.
 */
export class ModelParser extends RecordingParser {
  /**
   * Called with each statement's CST as soon as the statement is parsed; what it returns takes the CST's place
   * in the tree. `parse` builds the statement's AST there and then (see `AstBuilder.early`).
   */
  onStatement: ((cst: CstNode, lastToken: IToken | undefined) => CstNode) | undefined = undefined;

  /** The last token of the input added to the CST: a statement's last token when the statement is finished. */
  private lastPosted: IToken | undefined = undefined;

  /** chevrotain's hook that adds a finished rule's CST to its parent's (internal: not in its type declarations). */
  cstPostNonTerminal(result: CstNode, ruleName: string): void {
    const post = chevrotainTreeBuilder.cstPostNonTerminal;
    const done =
      ruleName === "statement" && this.onStatement ? this.onStatement(result, this.lastPosted) : result;
    post.call(this, done, ruleName);
  }

  /** chevrotain's hook that adds a consumed token to the CST (internal, as above). */
  cstPostTerminal(key: string, token: IToken): void {
    chevrotainTreeBuilder.cstPostTerminal.call(this, key, token);
    // Tokens error recovery invented are not the input's: a span never ends at one.
    if (isReal(token)) this.lastPosted = token;
  }

  private readonly declarationAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.model) },
    { ALT: () => this.SUBRULE(this.block) },
    { ALT: () => this.SUBRULE(this.section) },
    { ALT: () => this.CONSUME(T.Semicolon) },
  ];
  private readonly paramList = { SEP: T.Comma, DEF: () => this.SUBRULE(this.param) };
  private readonly paramType = (): void => {
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Identifier);
    this.OPTION2(this.paramDefault);
  };
  private readonly paramDefault = (): void => {
    this.CONSUME(T.Equals);
    this.SUBRULE(this.value);
  };
  private readonly bodyAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.statement) },
    { ALT: () => this.CONSUME(T.Semicolon) },
  ];
  private readonly bodyItem = (): void => {
    this.OR(this.bodyAlts);
  };
  private readonly sectionKeywordAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Train) },
    { ALT: () => this.CONSUME(T.Parallel) },
  ];
  private readonly sectionName = (): void => {
    this.CONSUME(T.Identifier);
  };
  private readonly entryAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.entry) },
    { ALT: () => this.CONSUME(T.Semicolon) },
  ];
  private readonly sectionItem = (): void => {
    this.OR2(this.entryAlts);
  };
  private readonly statementAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.outputStmt) },
      { ALT: () => this.SUBRULE(this.repeat) },
      { ALT: () => this.SUBRULE(this.binding) },
      { ALT: () => this.SUBRULE(this.chain) },
    ],
  };
  private readonly dtype = (): void => {
    this.CONSUME2(T.Identifier);
  };
  private readonly dimList = { SEP: T.Comma, DEF: () => this.CONSUME(T.NumberLiteral) };
  private readonly refList = { SEP: T.Comma, DEF: () => this.SUBRULE(this.ref) };
  private readonly refAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Underscore) },
    { ALT: () => this.CONSUME(T.Identifier) },
  ];
  private readonly nextElement = (): void => {
    this.CONSUME(T.Arrow);
    this.SUBRULE2(this.element);
  };
  private readonly elementAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Underscore) },
    { ALT: () => this.SUBRULE(this.call) },
  ];
  private readonly callArgs = (): void => {
    this.SUBRULE(this.args);
  };
  private readonly callHint = (): void => {
    this.SUBRULE(this.hint);
  };
  private readonly argList = { SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) };
  private readonly argAlts: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.Identifier);
        this.CONSUME(T.Colon);
        this.SUBRULE(this.value);
      },
    },
    { ALT: () => this.SUBRULE2(this.value) },
  ];
  private readonly hintNumber = (): void => {
    this.CONSUME(T.LParen);
    this.CONSUME(T.NumberLiteral);
    this.CONSUME(T.RParen);
  };
  private readonly valueAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.NumberLiteral) },
    { ALT: () => this.CONSUME(T.StringLiteral) },
    { ALT: () => this.CONSUME(T.True) },
    { ALT: () => this.CONSUME(T.False) },
    { ALT: () => this.CONSUME(T.Underscore) },
    { ALT: () => this.SUBRULE(this.list) },
    {
      ALT: () => {
        this.CONSUME(T.Identifier);
        this.OPTION(this.callArgs);
      },
    },
  ];
  private readonly listItems = { SEP: T.Comma, DEF: () => this.SUBRULE(this.value) };

  /**
   * `validate`: run chevrotain's grammar validations (ambiguities, left recursion, unreachable alternatives).
   * The grammar is fixed, so the CLI skips them at every start and test/grammar runs them once.
   */
  constructor(options: { validate: boolean } = { validate: false }) {
    super(T.ALL_TOKENS, {
      recoveryEnabled: true,
      nodeLocationTracking: "none",
      maxLookahead: 3,
      errorMessageProvider: MESSAGES,
      skipValidations: !options.validate,
    });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => this.OR(this.declarationAlts));
  });

  model = this.RULE("model", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.body);
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP(this.paramList);
    this.CONSUME(T.RParen);
    this.SUBRULE(this.body);
  });

  param = this.RULE("param", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(this.paramType);
  });

  body = this.RULE("body", () => {
    this.CONSUME(T.LBrace);
    this.MANY(this.bodyItem);
    this.CONSUME(T.RBrace);
  });

  section = this.RULE("section", () => {
    this.OR(this.sectionKeywordAlts);
    this.OPTION(this.sectionName);
    this.CONSUME(T.LBrace);
    this.MANY(this.sectionItem);
    this.CONSUME(T.RBrace);
  });

  entry = this.RULE("entry", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.value);
  });

  statement = this.RULE("statement", () => {
    this.OR(this.statementAlts);
  });

  inputStmt = this.RULE("inputStmt", () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.OPTION(this.dtype);
    this.CONSUME(T.LBracket);
    this.AT_LEAST_ONE_SEP(this.dimList);
    this.CONSUME(T.RBracket);
  });

  outputStmt = this.RULE("outputStmt", () => {
    this.CONSUME(T.Output);
    this.AT_LEAST_ONE_SEP(this.refList);
  });

  ref = this.RULE("ref", () => {
    this.OR(this.refAlts);
  });

  repeat = this.RULE("repeat", () => {
    this.CONSUME(T.Repeat);
    this.CONSUME(T.NumberLiteral);
    this.SUBRULE(this.body);
  });

  binding = this.RULE("binding", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.chain);
  });

  chain = this.RULE("chain", () => {
    this.SUBRULE(this.element);
    this.MANY(this.nextElement);
  });

  element = this.RULE("element", () => {
    this.OR(this.elementAlts);
  });

  call = this.RULE("call", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(this.callArgs);
    this.MANY(this.callHint);
  });

  args = this.RULE("args", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP(this.argList);
    this.CONSUME(T.RParen);
  });

  arg = this.RULE("arg", () => {
    this.OR(this.argAlts);
  });

  hint = this.RULE("hint", () => {
    this.CONSUME(T.At);
    this.CONSUME(T.Identifier);
    this.OPTION(this.hintNumber);
  });

  value = this.RULE("value", () => {
    this.OR(this.valueAlts);
  });

  list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP(this.listItems);
    this.CONSUME(T.RBracket);
  });
}

let parser: ModelParser | undefined;

/**
 * Built once, on first use, and reused: `performSelfAnalysis` is the expensive part of a chevrotain parser, and
 * commands that parse nothing (`--version`, `--help`) never pay for it.
 */
export function modelParser(): ModelParser {
  return (parser ??= new ModelParser());
}
