import type { CstNode, IToken } from "chevrotain";
import { diagnostic, type Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import type { SourceFile, Span } from "../compiler/diagnostics/span.js";
import type * as A from "./ast.js";
import {
  firstNode,
  firstOffset,
  firstRealToken,
  isNode,
  lastEnd,
  nodes,
  token,
  tokens,
  type Children,
} from "./cst-helpers.js";

/** Stands in for CST nodes the builder has finished with. */
const SPENT: CstNode = { name: "spent", children: {} };

/**
 * Turns chevrotain's CST into the typed AST. Plain functions over the CST rather than chevrotain's visitor
 * class, whose `ctx: any` parameters would let untyped values into the AST. A node that error recovery left
 * incomplete (a missing name, say) is dropped or given an empty name; the syntax error was already reported.
 */
export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  /** Statements built while parsing (`early`), by the stand-in that took their CST's place. */
  private readonly built = new Map<CstNode, A.Statement | undefined>();

  constructor(private readonly source: SourceFile) {}

  /**
   * A statement's AST, built as soon as the parser has finished the statement: its CST then dies young, where
   * a whole file's CST lived until the end of parsing and every young-generation collection copied it (issue
   * 14: at 10,000 layers, 130 ms of collection during the parse, now about 80). Returns the stand-in that
   * takes the CST's place in the tree, which `body` reads: it keeps the statement's first and last token
   * (`lastToken`, the last the parser added to the CST), so the spans of what encloses it are as before. A
   * statement without a token of its own (left by error recovery) stays CST: its spans fall back to the
   * enclosing body's, known only later.
   */
  early(statement: CstNode, lastToken: IToken | undefined): CstNode {
    const first = firstRealToken(statement);
    if (!first || !lastToken) return statement;
    const edges = first === lastToken ? [first] : [first, lastToken];
    const standIn: CstNode = { name: "built", children: { Edge: edges } };
    // A statement with a token of its own never reaches for its fallback span (every part of it that could
    // is a part without tokens, which `statement` drops); its first token is there all the same.
    this.built.set(standIn, this.statement(statement, this.tokenSpan(first)));
    return standIn;
  }

  private tokenSpan(token: IToken): Span {
    return this.source.span(token.startOffset, token.startOffset + token.image.length);
  }

  /** The node's text, from its first real token to its last; `fallback` when recovery left it empty. */
  private nodeSpan(node: CstNode, fallback: Span): Span {
    const start = firstOffset(node);
    const end = lastEnd(node);
    return start <= end ? this.source.span(start, end) : fallback;
  }

  private ident(c: Children, key: string, index: number, fallback: Span): A.Ident {
    const t = token(c, key, index);
    return t ? { name: t.image, span: this.tokenSpan(t) } : { name: "", span: fallback };
  }

  file(cst: CstNode): A.FileAst {
    const whole = this.source.span(0, this.source.text.length);
    const c = cst.children;
    const declarations: A.Declaration[] = [
      ...nodes(c, "model").map((n) => this.model(n, whole)),
      ...nodes(c, "block").map((n) => this.block(n, whole)),
      ...nodes(c, "section").map((n) => this.section(n, whole)),
    ];
    declarations.sort((a, b) => a.span.start - b.span.start);
    return { kind: "file", span: whole, declarations };
  }

  private model(n: CstNode, parent: Span): A.ModelDecl {
    const span = this.nodeSpan(n, parent);
    return {
      kind: "model",
      name: this.ident(n.children, "Identifier", 0, span),
      body: this.body(n.children, span),
      span,
    };
  }

  private block(n: CstNode, parent: Span): A.BlockDecl {
    const span = this.nodeSpan(n, parent);
    const c = n.children;
    return {
      kind: "block",
      name: this.ident(c, "Identifier", 0, span),
      params: nodes(c, "param").map((p) => this.param(p, span)),
      body: this.body(c, span),
      span,
    };
  }

  private param(n: CstNode, parent: Span): A.ParamDecl {
    const span = this.nodeSpan(n, parent);
    const c = n.children;
    const type = token(c, "Identifier", 1);
    const value = firstNode(c, "value");
    return {
      name: this.ident(c, "Identifier", 0, span),
      ...(type ? { type: { name: type.image, span: this.tokenSpan(type) } } : {}),
      ...(value ? { default: this.value(value, span) } : {}),
      span,
    };
  }

  private body(c: Children, parent: Span): A.Statement[] {
    const body = firstNode(c, "body");
    if (!body) return [];
    const span = this.nodeSpan(body, parent);
    const out: A.Statement[] = [];
    const statements = body.children.statement ?? [];
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i]!;
      if (isNode(s)) {
        const built = this.built.has(s) ? this.built.get(s) : this.statement(s, span);
        if (built) out.push(built);
        this.built.delete(s);
      }
      // Done with this statement's CST: let the collector have it while the rest is built.
      statements[i] = SPENT;
    }
    return out;
  }

  private section(n: CstNode, parent: Span): A.SectionDecl {
    const span = this.nodeSpan(n, parent);
    const c = n.children;
    const model = token(c, "Identifier");
    return {
      kind: token(c, "Parallel") ? "parallel" : "train",
      ...(model ? { model: { name: model.image, span: this.tokenSpan(model) } } : {}),
      entries: nodes(c, "entry").flatMap((e) => {
        const entrySpan = this.nodeSpan(e, span);
        const value = firstNode(e.children, "value");
        const key = this.ident(e.children, "Identifier", 0, entrySpan);
        return value && key.name ? [{ key, value: this.value(value, entrySpan), span: entrySpan }] : [];
      }),
      span,
    };
  }

  private statement(n: CstNode, parent: Span): A.Statement | undefined {
    const c = n.children;
    const span = parent;
    const input = firstNode(c, "inputStmt");
    if (input) return this.input(input, span);
    const output = firstNode(c, "outputStmt");
    if (output) {
      const refs = nodes(output.children, "ref").flatMap((r): A.RefAst[] => {
        const u = token(r.children, "Underscore");
        if (u) return [{ kind: "underscore", span: this.tokenSpan(u) }];
        const id = token(r.children, "Identifier");
        return id ? [{ kind: "name", name: id.image, span: this.tokenSpan(id) }] : [];
      });
      return { kind: "output", refs, span: this.nodeSpan(output, span) };
    }
    const repeat = firstNode(c, "repeat");
    if (repeat) {
      const rspan = this.nodeSpan(repeat, span);
      const count = token(repeat.children, "NumberLiteral");
      if (!count) return undefined;
      return {
        kind: "repeat",
        count: this.number(count),
        body: this.body(repeat.children, rspan),
        span: rspan,
      };
    }
    const binding = firstNode(c, "binding");
    if (binding) {
      const name = this.ident(binding.children, "Identifier", 0, span);
      const chain = firstNode(binding.children, "chain");
      const built = chain ? this.chain(chain) : undefined;
      if (!built || !name.name) return undefined;
      const bspan = this.source.span(name.span.start, built.span.end);
      return { kind: "binding", name, chain: built, span: bspan };
    }
    const chain = firstNode(c, "chain");
    const built = chain ? this.chain(chain) : undefined;
    return built ? { kind: "chain", chain: built, span: built.span } : undefined;
  }

  private input(n: CstNode, parent: Span): A.InputStmt {
    const span = this.nodeSpan(n, parent);
    const c = n.children;
    const dtype = token(c, "Identifier", 1);
    const open = token(c, "LBracket");
    const close = token(c, "RBracket");
    const shapeSpan =
      open && close
        ? this.source.span(open.startOffset, close.startOffset + 1)
        : open
          ? this.tokenSpan(open)
          : span;
    return {
      kind: "input",
      name: this.ident(c, "Identifier", 0, span),
      ...(dtype ? { dtype: { name: dtype.image, span: this.tokenSpan(dtype) } } : {}),
      shape: tokens(c, "NumberLiteral").map((t) => this.number(t)),
      shapeSpan,
      span,
    };
  }

  /** Undefined when recovery left the chain without a single usable element. */
  private chain(n: CstNode): A.ChainAst | undefined {
    const elements = nodes(n.children, "element").flatMap((e): A.ElementAst[] => {
      const u = token(e.children, "Underscore");
      if (u) return [{ kind: "underscore", span: this.tokenSpan(u) }];
      const call = firstNode(e.children, "call");
      return call ? this.call(call) : [];
    });
    const first = elements[0];
    const last = elements[elements.length - 1];
    if (!first || !last) return undefined;
    const lastHint = last.kind === "call" ? last.hints[last.hints.length - 1] : undefined;
    return {
      elements,
      span: this.source.span(first.span.start, Math.max(last.span.end, lastHint?.span.end ?? 0)),
    };
  }

  private call(n: CstNode): A.CallAst[] {
    const c = n.children;
    const name = token(c, "Identifier");
    if (!name) return [];
    const nameSpan = this.tokenSpan(name);
    const argsNode = firstNode(c, "args");
    const args = argsNode ? this.args(argsNode, nameSpan) : undefined;
    // Most calls have no hints: no list to filter and flatten for them.
    const hints = (c.hint === undefined ? [] : nodes(c, "hint")).flatMap((h): A.HintAst[] => {
      const hname = token(h.children, "Identifier");
      const value = token(h.children, "NumberLiteral");
      const at = token(h.children, "At");
      const close = token(h.children, "RParen");
      if (!hname || !at) return [];
      const last = close ?? value ?? hname;
      const hspan = this.source.span(at.startOffset, last.startOffset + last.image.length);
      return [
        {
          name: { name: hname.image, span: this.tokenSpan(hname) },
          ...(value ? { value: this.number(value) } : {}),
          span: hspan,
        },
      ];
    });
    const end = args && args.span.end > nameSpan.end ? args.span.end : nameSpan.end;
    return [
      {
        kind: "call",
        name: { name: name.image, span: nameSpan },
        ...(args ? { args } : {}),
        hints,
        span: this.source.span(nameSpan.start, end),
      },
    ];
  }

  private args(n: CstNode, parent: Span): A.ArgsAst {
    const open = token(n.children, "LParen");
    const close = token(n.children, "RParen");
    const span =
      open && close ? this.source.span(open.startOffset, close.startOffset + 1) : this.nodeSpan(n, parent);
    const positional: A.ValueAst[] = [];
    const keyword: A.KeywordArgAst[] = [];
    for (const arg of nodes(n.children, "arg")) {
      const c = arg.children;
      const value = firstNode(c, "value");
      if (!value) continue;
      const key = token(c, "Identifier");
      const v = this.value(value, span);
      if (key) keyword.push({ name: { name: key.image, span: this.tokenSpan(key) }, value: v });
      else if (keyword.length > 0) this.diagnostics.push(diagnostic("MG1021", v.span));
      else positional.push(v);
    }
    return { positional, keyword, span };
  }

  private number(token: IToken): A.NumberLit {
    const value = Number(token.image);
    const span = this.tokenSpan(token);
    if (!Number.isFinite(value)) {
      this.diagnostics.push(diagnostic("MG1001", span, [`number ${token.image} is out of range`]));
      return { value: 0, text: token.image, span };
    }
    return { value, text: token.image, span };
  }

  value(n: CstNode, parent: Span): A.ValueAst {
    const c = n.children;
    const num = token(c, "NumberLiteral");
    if (num) {
      const lit = this.number(num);
      return { kind: "number", value: lit.value, isInteger: Number.isInteger(lit.value), span: lit.span };
    }
    const str = token(c, "StringLiteral");
    if (str) return { kind: "string", value: JSON.parse(str.image) as string, span: this.tokenSpan(str) };
    const yes = token(c, "True");
    if (yes) return { kind: "bool", value: true, span: this.tokenSpan(yes) };
    const no = token(c, "False");
    if (no) return { kind: "bool", value: false, span: this.tokenSpan(no) };
    const under = token(c, "Underscore");
    if (under) return { kind: "underscore", span: this.tokenSpan(under) };
    const list = firstNode(c, "list");
    if (list) {
      const open = token(list.children, "LBracket");
      const close = token(list.children, "RBracket");
      const lspan =
        open && close
          ? this.source.span(open.startOffset, close.startOffset + 1)
          : this.nodeSpan(list, parent);
      return {
        kind: "list",
        items: nodes(list.children, "value").map((v) => this.value(v, lspan)),
        span: lspan,
      };
    }
    const name = token(c, "Identifier");
    if (!name) return { kind: "name", name: "", span: this.nodeSpan(n, parent) };
    const nameSpan = this.tokenSpan(name);
    const argsNode = firstNode(c, "args");
    if (!argsNode) return { kind: "name", name: name.image, span: nameSpan };
    const args = this.args(argsNode, nameSpan);
    return {
      kind: "call",
      name: name.image,
      nameSpan,
      args,
      span: this.source.span(nameSpan.start, Math.max(nameSpan.end, args.span.end)),
    };
  }
}
