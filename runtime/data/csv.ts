import { readFile } from "node:fs/promises";
import {
  checkCsvHasRows,
  csvLines,
  isBlankCsvLine,
  isClassLabel,
  parseCsvHeader,
  parseCsvRow,
} from "../../compiler/data-formats/csv-format.js";
import { DataError, asDataError } from "./data-error.js";
import type { Dataset } from "./dataset.js";
import { fitToInput } from "./fit-shape.js";

/**
 * `csv(path, label: "name")`: a header row, then one sample per row; every column but the label is a feature,
 * in column order (compiler/data-formats/csv-format.ts). Integer labels are classes; any other number makes a
 * regression target.
 */
export async function loadCsv(
  file: string,
  label: string,
  inputShape: readonly number[],
  options: { readonly labels: boolean } = { labels: true },
): Promise<Dataset> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(
      code === "ENOENT" ? `data file not found: ${file}` : `cannot read ${file}: ${code ?? String(error)}`,
      file,
    );
  }
  const lines = csvLines(text);
  const xs: number[] = [];
  const ys: number[] = [];
  const header = asDataError(() => {
    const parsed = parseCsvHeader(lines[0] ?? "", label, file, options);
    for (let i = 1; i < lines.length; i++) {
      const raw = lines[i]!;
      if (isBlankCsvLine(raw)) continue;
      const row = parseCsvRow(raw, i + 1, parsed);
      xs.push(...row.features);
      ys.push(row.label);
    }
    checkCsvHasRows(ys.length, file);
    return parsed;
  });
  const sampleShape = fitToInput([header.features.length], inputShape, `csv file ${file}`, {
    flat: true,
    path: file,
  });
  const classes = ys.every(isClassLabel);
  return {
    x: Float32Array.from(xs),
    y: classes ? Int32Array.from(ys) : Float32Array.from(ys),
    count: ys.length,
    sampleShape,
    labelShape: [],
    // A loop, not Math.max(...ys): spreading a large file's labels overflows the call stack.
    numClasses: classes ? ys.reduce((a, b) => Math.max(a, b), -1) + 1 : 0,
    description: `csv(${file})`,
  };
}
