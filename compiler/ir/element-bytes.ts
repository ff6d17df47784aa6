/** Bytes per tensor element: every weight, gradient, optimizer slot and activation is float32 (tfjs's training dtype). */
export const BYTES_PER_ELEMENT = 4;
