import type { CstElement, CstNode, IToken } from "chevrotain";

/** Typed access to chevrotain CST children, without `any`. */
export type Children = CstNode["children"];

export function isNode(el: CstElement): el is CstNode {
  return "children" in el;
}

/** Tokens chevrotain invented while recovering from an error have no text; the AST leaves them out. */
export function isReal(token: IToken): boolean {
  return token.isInsertedInRecovery !== true && !Number.isNaN(token.startOffset);
}

export function nodes(c: Children, key: string): CstNode[] {
  return (c[key] ?? []).filter(isNode);
}

export function tokens(c: Children, key: string): IToken[] {
  return (c[key] ?? []).filter((el): el is IToken => !isNode(el) && isReal(el));
}

/** `nodes(c, key)[0]` without the array: the builder runs once per CST node, so allocations add up. */
export function firstNode(c: Children, key: string): CstNode | undefined {
  for (const el of c[key] ?? []) if (isNode(el)) return el;
  return undefined;
}

/** The `index`-th real token under `key`, without allocating. */
export function token(c: Children, key: string, index = 0): IToken | undefined {
  let seen = 0;
  for (const el of c[key] ?? []) {
    if (!isNode(el) && isReal(el) && seen++ === index) return el;
  }
  return undefined;
}

/** Some real token under the node (the first one met, not necessarily the earliest), or undefined. */
export function firstRealToken(node: CstNode): IToken | undefined {
  for (const key in node.children) {
    for (const el of node.children[key] ?? []) {
      const found = isNode(el) ? firstRealToken(el) : isReal(el) ? el : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Where a node's first real token starts. Chevrotain's own node locations are off: they cost memory on every
 * node, and the builder needs spans only for some. Each rule has few node-valued children, so this walks one
 * short path per child kind.
 */
export function firstOffset(node: CstNode): number {
  let best = Infinity;
  for (const key in node.children) {
    for (const el of node.children[key] ?? []) {
      const offset = isNode(el) ? firstOffset(el) : isReal(el) ? el.startOffset : Infinity;
      if (offset === Infinity) continue;
      if (offset < best) best = offset;
      break;
    }
  }
  return best;
}

/** Where a node's last real token ends (exclusive). */
export function lastEnd(node: CstNode): number {
  let best = -Infinity;
  for (const key in node.children) {
    const els = node.children[key] ?? [];
    for (let i = els.length - 1; i >= 0; i--) {
      const el = els[i]!;
      const end = isNode(el) ? lastEnd(el) : isReal(el) ? el.startOffset + el.image.length : -Infinity;
      if (end === -Infinity) continue;
      if (end > best) best = end;
      break;
    }
  }
  return best;
}
