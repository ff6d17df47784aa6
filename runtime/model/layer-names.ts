/**
 * IR names → tfjs layer names. Block paths use `/` (`residual/conv2d`), which tfjs reserves as its weight
 * name-scope separator (`residual/conv2d/kernel` would read as a layer `residual`), so `/` becomes `__`.
 * Any other character outside tfjs's `[A-Za-z0-9_.-]` becomes `_`, and a leading `_` (legal in the DSL, not
 * in a tfjs tensor name) is prefixed with `l`.
 */
export function tfjsLayerName(irName: string): string {
  const safe = irName.replaceAll("/", "__").replace(/[^A-Za-z0-9_.-]/g, "_");
  return /^[A-Za-z0-9]/.test(safe) ? safe : `l${safe}`;
}

/** The inverse for names `tfjsLayerName` produced from DSL identifiers (which never contain `__` plus `/`). */
export function irNameOf(layerName: string): string {
  const unprefixed = /^l_/.test(layerName) ? layerName.slice(1) : layerName;
  return unprefixed.replaceAll("__", "/");
}
