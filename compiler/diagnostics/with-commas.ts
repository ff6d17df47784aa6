/**
 * `124439808` → `124,439,808`, as Keras's summary and mgpuc's messages print counts. A regular expression, not
 * `toLocaleString`: the first locale-aware call loads ICU's data, about 25 ms of a command's start.
 */
export function withCommas(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
