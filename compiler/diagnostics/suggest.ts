import { distance } from "fastest-levenshtein";

/**
 * The closest known name to a misspelt one, for `hint: did you mean 'dense'?`, or undefined when nothing is
 * close enough. "Close" scales with length: short names allow one edit, longer ones a third of their length.
 */
export function closestName(wrong: string, known: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(wrong.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === wrong) continue;
    const d = distance(wrong.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean 'x'?` or undefined. */
export function didYouMean(wrong: string, known: Iterable<string>): string | undefined {
  const name = closestName(wrong, known);
  return name === undefined ? undefined : `did you mean '${name}'?`;
}
