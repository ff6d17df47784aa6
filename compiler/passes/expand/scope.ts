import type { Span } from "../../diagnostics/span.js";

export interface Binding {
  readonly id: number;
  readonly span: Span;
}

/**
 * Tensor names bound by `name = ...`, `input` and tensor parameters. A `repeat` pass's scope sees its
 * enclosing scope; a block call's scope starts empty but for its parameters (blocks see no caller's names).
 */
export class Scope {
  private readonly bindings = new Map<string, Binding>();

  constructor(private readonly parent?: Scope) {}

  lookup(name: string): Binding | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const found = s.bindings.get(name);
      if (found) return found;
    }
    return undefined;
  }

  /** The binding already in this very scope, which makes a new one a duplicate. */
  own(name: string): Binding | undefined {
    return this.bindings.get(name);
  }

  bind(name: string, binding: Binding): void {
    this.bindings.set(name, binding);
  }

  /** Every visible name, for did-you-mean hints. */
  *names(): Iterable<string> {
    for (let s: Scope | undefined = this; s; s = s.parent) yield* s.bindings.keys();
  }
}
