import type {
  CallAst,
  ChainAst,
  InputStmt,
  ModelDecl,
  OutputStmt,
  RepeatStmt,
  Statement,
  ValueAst,
} from "../../../grammar/ast.js";
import type { Span } from "../../diagnostics/span.js";
import { closestName, didYouMean } from "../../diagnostics/suggest.js";
import { withCommas } from "../../diagnostics/with-commas.js";
import type { ExpandedLayer, ExpandedModel, Hint } from "../../ir/expanded.js";
import { OPS } from "../../ops/index.js";
import { bindBlockArgs } from "./block-args.js";
import { estimateSize } from "./block-graph.js";
import type { BlockInfo } from "./block-table.js";
import { blockFrame, classifyChain, isTensorArg, modelFrame, repeatFrame, type Frame } from "./frame.js";
import { toHints } from "./hints.js";
import { inputDeclaration } from "./input-decl.js";
import { MAX_EXPANSION_DEPTH, MAX_LAYERS } from "./limits.js";
import type { Reporter } from "./reporter.js";
import type { ModelSections } from "./sections.js";
import { Scope } from "./scope.js";
import { toValue, valuesToArgs } from "./values.js";

/**
 * Unrolls one model: blocks and `repeat` expanded, names resolved, tensor arguments turned into producer ids.
 * `current` threads `_` (the previous statement's result) through the statements.
 */
export class ModelExpander {
  private readonly layers: ExpandedLayer[] = [];
  private readonly inputIds: number[] = [];
  private outputIds: number[] | undefined;

  constructor(
    private readonly blocks: ReadonlyMap<string, BlockInfo>,
    private readonly reporter: Reporter,
  ) {}

  expand(model: ModelDecl, sections: ModelSections): ExpandedModel {
    const name = model.name.name;
    const base = { name, span: model.span, ...sections };
    const empty = { ...base, layers: [], inputs: [], outputs: [] };
    if (!model.body.some((s) => s.kind === "input")) {
      this.reporter.report("MG1019", model.name.span, [name]);
      return empty;
    }
    if (estimateSize(model.body, this.blocks) > MAX_LAYERS) {
      this.reporter.report("MG1013", model.name.span, [name, withCommas(MAX_LAYERS)]);
      return empty;
    }
    const last = this.statements(model.body, modelFrame(), undefined);
    const outputs = this.outputIds ?? (last === undefined ? [] : [last]);
    return { ...base, layers: this.layers, inputs: this.inputIds, outputs };
  }

  private statements(
    body: readonly Statement[],
    frame: Frame,
    current: number | undefined,
  ): number | undefined {
    for (const s of body) {
      switch (s.kind) {
        case "input":
          current = this.input(s, frame, current);
          break;
        case "output":
          this.output(s, frame, current);
          break;
        case "repeat":
          current = this.repeat(s, frame, current);
          break;
        case "binding": {
          const result = this.chain(s.chain, frame, current, s.name.name);
          if (result !== undefined) this.bind(s.name.name, s.name.span, result, frame);
          current = result ?? current;
          break;
        }
        case "chain":
          current = this.chain(s.chain, frame, current, undefined) ?? current;
          break;
      }
    }
    return current;
  }

  private bind(name: string, span: Span, id: number, frame: Frame): void {
    if (OPS.has(name)) this.reporter.report("MG1007", span, [name], frame);
    const previous = frame.scope.own(name);
    if (previous) {
      const notes = [{ message: `'${name}' was first bound here`, span: previous.span }];
      this.reporter.report("MG1006", span, [name], frame, { notes });
    }
    frame.scope.bind(name, { id, span });
  }

  private input(s: InputStmt, frame: Frame, current: number | undefined): number | undefined {
    if (!frame.topLevel) {
      this.reporter.report("MG1025", s.span, ["input"], frame);
      return current;
    }
    const input = inputDeclaration(s, this.reporter, frame);
    if (s.name.name === "") return current;
    const id = this.push({
      name: frame.ns.fresh(s.name.name),
      op: "input",
      args: { positional: [], keyword: [], span: s.name.span },
      inputs: [],
      hints: [],
      span: s.span,
      callSites: frame.callSites,
      input,
    });
    this.bind(s.name.name, s.name.span, id, frame);
    this.inputIds.push(id);
    return id;
  }

  private output(s: OutputStmt, frame: Frame, current: number | undefined): void {
    if (!frame.topLevel) return this.reporter.report("MG1025", s.span, ["output"], frame);
    if (this.outputIds) return this.reporter.report("MG1026", s.span, [], frame);
    const ids: number[] = [];
    for (const ref of s.refs) {
      const id = this.resolve(ref, frame, current);
      if (id !== undefined) ids.push(id);
    }
    this.outputIds = ids;
  }

  private repeat(s: RepeatStmt, frame: Frame, current: number | undefined): number | undefined {
    const count = s.count.value;
    if (!Number.isInteger(count) || count < 1) {
      this.reporter.report("MG1039", s.count.span, [s.count.text], frame);
      return current;
    }
    if (frame.depth >= MAX_EXPANSION_DEPTH) {
      this.reporter.report("MG1040", s.span, [MAX_EXPANSION_DEPTH], frame);
      return current;
    }
    let result = current;
    for (let pass = 0; pass < count; pass++) {
      const before = this.layers.length;
      const passInput = result;
      result = this.statements(s.body, repeatFrame(frame), result);
      // A pass that adds nothing and leaves `_` as it was would do the same every time: stop, whatever N is.
      if (this.layers.length === before && result === passInput) break;
    }
    return result;
  }

  /** `_` or a name that must be a bound tensor. */
  private resolve(
    ref: { kind: string; name?: string; span: Span },
    frame: Frame,
    current: number | undefined,
  ): number | undefined {
    if (ref.kind === "underscore") {
      if (current === undefined) this.reporter.report("MG1027", ref.span, [], frame);
      return current;
    }
    const name = ref.name ?? "";
    const found = frame.scope.lookup(name);
    if (found) return found.id;
    if (name !== "")
      this.reporter.report("MG1005", ref.span, [name], frame, {
        hint: didYouMean(name, frame.scope.names()),
      });
    return undefined;
  }

  private chain(
    chain: ChainAst,
    frame: Frame,
    current: number | undefined,
    bindName: string | undefined,
  ): number | undefined {
    const kinds = classifyChain(chain, frame, current, this.blocks);
    const single =
      kinds.filter((k) => k.kind === "layer").length === 1 && !kinds.some((k) => k.kind === "block");
    let value: number | undefined;
    chain.elements.forEach((e, i) => {
      const kind = kinds[i]!;
      const input = i === 0 ? current : value;
      if (kind.kind === "ref") {
        const label = e.kind === "call" ? e.name.name : "_";
        if (i > 0) this.reporter.report("MG1024", e.span, [label], frame);
        else if (kind.id === undefined) this.reporter.report("MG1027", e.span, [], frame);
        else value = kind.id;
      } else if (e.kind === "call") {
        value =
          kind.kind === "block"
            ? this.block(e, input, frame, current)
            : this.layer(e, input, frame, current, single ? bindName : undefined);
      }
    });
    return value;
  }

  private layer(
    e: CallAst,
    input: number | undefined,
    frame: Frame,
    current: number | undefined,
    name: string | undefined,
  ): number | undefined {
    const op = e.name.name;
    const spec = OPS.get(op);
    if (!spec) {
      this.unknownCallee(e, frame);
      return input;
    }
    const positional = e.args?.positional ?? [];
    let rest: readonly ValueAst[] = positional;
    const inputs: number[] = [];
    let named = 0;
    if (spec.tensorInputs === "many") {
      while (named < positional.length && isTensorArg(positional[named]!, frame)) named++;
      for (const ref of positional.slice(0, named)) {
        const id = this.resolve(ref, frame, current);
        if (id !== undefined) inputs.push(id);
      }
      rest = positional.slice(named);
    }
    if (named === 0) {
      if (input === undefined) this.reporter.report("MG1027", e.span, [], frame);
      else inputs.push(input);
    }
    const underscore = (span: Span) => this.reporter.report("MG1028", span, [], frame);
    const args = e.args
      ? valuesToArgs(rest, e.args.keyword, e.args.span, frame.values, underscore)
      : { positional: [], keyword: [], span: e.name.span };
    return this.push({
      name: frame.ns.fresh(name ?? op),
      op,
      args,
      inputs,
      hints: this.hintsFor(e, frame),
      span: e.span,
      callSites: frame.callSites,
    });
  }

  /** Most layers have no hints: they share one empty array rather than each holding its own. */
  private hintsFor(e: CallAst, frame: Frame): readonly Hint[] {
    if (e.hints.length === 0) return frame.hints;
    const own = toHints(e.hints, this.reporter, frame);
    return frame.hints.length === 0 ? own : [...own, ...frame.hints];
  }

  private unknownCallee(e: CallAst, frame: Frame): void {
    const name = e.name.name;
    const bare = !e.args && e.hints.length === 0;
    const known = [...OPS.keys(), ...this.blocks.keys(), ...(bare ? frame.scope.names() : [])];
    const closest = closestName(name, known);
    const hint = closest === undefined ? undefined : `did you mean '${closest}'?`;
    const code = closest !== undefined && this.blocks.has(closest) ? "MG1004" : "MG1003";
    this.reporter.report(code, e.name.span, [name], frame, { hint });
  }

  private block(
    e: CallAst,
    input: number | undefined,
    frame: Frame,
    current: number | undefined,
  ): number | undefined {
    const info = this.blocks.get(e.name.name);
    if (!info || info.recursive) return input;
    if (frame.depth >= MAX_EXPANSION_DEPTH) {
      this.reporter.report("MG1040", e.span, [MAX_EXPANSION_DEPTH], frame);
      return input;
    }
    const bound = bindBlockArgs(e, info, input, {
      isTensor: (v) => isTensorArg(v, frame),
      isBound: (name) => frame.scope.lookup(name) !== undefined,
      known: () => [...frame.scope.names(), ...frame.values.keys()],
      resolve: (ref) =>
        ref.kind === "underscore" || ref.kind === "name" ? this.resolve(ref, frame, current) : undefined,
      convert: (v) => toValue(v, frame.values, (span) => this.reporter.report("MG1028", span, [], frame)),
      report: (code, span, args, extra) => this.reporter.report(code, span, args, frame, extra),
    });
    if (!bound) return input;
    const scope = new Scope();
    info.tensorParams.forEach((p, i) => scope.bind(p.name, { id: bound.tensors[i]!, span: p.span }));
    const hints = toHints(e.hints, this.reporter, frame).map((h) => ({ ...h, onBlock: info.decl.name.name }));
    const inner = blockFrame(frame, e, scope, hints, bound.values);
    return this.statements(info.decl.body, inner, bound.tensors[0]);
  }

  private push(layer: Omit<ExpandedLayer, "id">): number {
    const id = this.layers.length;
    this.layers.push({ id, ...layer });
    return id;
  }
}
