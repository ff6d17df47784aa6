import { readFile } from "node:fs/promises";
import { DataError } from "./data-error.js";
import type { Dataset } from "./dataset.js";
import { fitToInput } from "./fit-shape.js";

/** One CSV line's cells; fields may be double-quoted (`"a,b"`, `""` for a quote). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  out.push(cell.trim());
  return out;
}

/**
 * `csv(path, label: "name")`: a header row, then one sample per row; every column but the label is a feature,
 * in column order. Integer labels are classes; any other number makes a regression target.
 */
export async function loadCsv(file: string, label: string, inputShape: readonly number[]): Promise<Dataset> {
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
  const lines = text.split(/\r?\n/);
  const header = cells(lines[0] ?? "");
  const labelColumn = header.indexOf(label);
  if (labelColumn < 0)
    throw new DataError(`${file}:1: no column named '${label}' (columns: ${header.join(", ")})`, file, 1);
  const features = header.length - 1;
  const fail = (line: number, message: string): never => {
    throw new DataError(`${file}:${line}: ${message}`, file, line);
  };
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const row = cells(raw);
    if (row.length !== header.length) fail(i + 1, `expected ${header.length} values, found ${row.length}`);
    row.forEach((cell, column) => {
      const value = cell === "" ? NaN : Number(cell);
      if (!Number.isFinite(value)) fail(i + 1, `column '${header[column]}': '${cell}' is not a number`);
      if (column === labelColumn) ys.push(value);
      else xs.push(value);
    });
  }
  if (ys.length === 0) throw new DataError(`${file}: no data rows`, file);
  const sampleShape = fitToInput([features], inputShape, `csv file ${file}`, { flat: true, path: file });
  const classes = ys.every((v) => Number.isInteger(v) && v >= 0);
  return {
    x: Float32Array.from(xs),
    y: classes ? Int32Array.from(ys) : Float32Array.from(ys),
    count: ys.length,
    sampleShape,
    labelShape: [],
    numClasses: classes ? Math.max(...ys) + 1 : 0,
    description: `csv(${file})`,
  };
}
