/** Unrolling stops here with MG1013, before memory runs out: a million layers is far past any real model. */
export const MAX_LAYERS = 1_000_000;

/**
 * Block calls and `repeat`s inside each other. Expansion recurses once per level, so this bounds the stack;
 * recursion itself is rejected earlier (MG1012), so only long chains of distinct blocks reach it.
 */
export const MAX_EXPANSION_DEPTH = 200;
