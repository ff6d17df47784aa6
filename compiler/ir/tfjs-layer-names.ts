/**
 * IR names → tfjs layer names. Block paths use `/` (`residual/conv2d`), which tfjs reserves as its weight
 * name-scope separator (`residual/conv2d/kernel` would read as a layer `residual`), so `/` becomes `__`.
 * Any other character outside tfjs's `[A-Za-z0-9_.-]` becomes `_`, and a leading `_` (legal in the DSL, not
 * in a tfjs tensor name) is prefixed with `l`.
 *
 * tfjs-layers keys plain objects by layer name when it rebuilds a model from its config (`Container.fromConfig`,
 * which every device, checkpoint load and `tf.loadLayersModel` runs): a layer named `constructor`, `toString` or
 * `__proto__` there finds Object's own property and fails. Such names get a `-` suffix (`toString-`), which no DSL
 * identifier contains, so the mapping stays one-to-one.
 */
export function tfjsLayerName(irName: string): string {
  const safe = irName.replaceAll("/", "__").replace(/[^A-Za-z0-9_.-]/g, "_");
  const named = /^[A-Za-z0-9]/.test(safe) ? safe : `l${safe}`;
  return named in Object.prototype ? `${named}-` : named;
}

/** The inverse for names `tfjsLayerName` produced from DSL identifiers (which never contain `__` plus `/`). */
export function irNameOf(layerName: string): string {
  const unsuffixed = layerName.endsWith("-") ? layerName.slice(0, -1) : layerName;
  const unprefixed = /^l_/.test(unsuffixed) ? unsuffixed.slice(1) : unsuffixed;
  return unprefixed.replaceAll("__", "/");
}
