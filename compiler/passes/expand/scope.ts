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
    return this.bindings.get(name) ?? this.parent?.lookup(name);
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
    yield* this.bindings.keys();
    if (this.parent) yield* this.parent.names();
  }
}
