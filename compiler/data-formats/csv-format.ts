import { DataFormatError } from "./format-error.js";

/**
 * The CSV form `csv(path, label: "name")` reads, as pure functions over text: a header row, then one sample per
 * row; every column but the label is a feature, in column order. Both the runtime's loader and the compiler's
 * data check read CSV through these, so the format is read, and its errors worded, in one place.
 */

/** One CSV line's cells, trimmed; fields may be double-quoted (`"a,b"`, `""` for a quote). */
export function csvCells(line: string): string[] {
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

/** Lines as the format counts them (line i + 1 of the file is `lines[i]`). */
export function csvLines(text: string): string[] {
  return text.split(/\r?\n/);
}

export interface CsvHeader {
  readonly file: string;
  readonly columns: readonly string[];
  /** -1 when the file has no label column and none is needed (`target: input`). */
  readonly labelColumn: number;
  /** Every column but the label, in order. */
  readonly features: readonly string[];
}

/**
 * The header row; throws when there is none, or when no column is named `label` and the labels are needed
 * (`labels: false`, for `target: input`: a missing label column leaves every column a feature).
 */
export function parseCsvHeader(
  line: string,
  label: string,
  file: string,
  options: { readonly labels: boolean } = { labels: true },
): CsvHeader {
  if (isBlankCsvLine(line)) throw new DataFormatError(`${file}:1: no header row`, file, 1);
  const columns = csvCells(line);
  const labelColumn = columns.indexOf(label);
  if (labelColumn < 0 && options.labels)
    throw new DataFormatError(
      `${file}:1: no column named '${label}' (columns: ${columns.join(", ")})`,
      file,
      1,
    );
  return { file, columns, labelColumn, features: columns.filter((_, i) => i !== labelColumn) };
}

/** A data row's features and label (NaN without a label column); `line` is 1-based. Throws on a ragged row or a cell that is not a number. */
export function parseCsvRow(
  raw: string,
  line: number,
  header: CsvHeader,
): { features: number[]; label: number } {
  const fail = (message: string): never => {
    throw new DataFormatError(`${header.file}:${line}: ${message}`, header.file, line);
  };
  const row = csvCells(raw);
  if (row.length !== header.columns.length)
    fail(`expected ${header.columns.length} values, found ${row.length}`);
  const features: number[] = [];
  let label = NaN;
  row.forEach((cell, column) => {
    const value = cell === "" ? NaN : Number(cell);
    if (!Number.isFinite(value)) fail(`column '${header.columns[column]}': '${cell}' is not a number`);
    if (column === header.labelColumn) label = value;
    else features.push(value);
  });
  return { features, label };
}

/** Throws when the file has a header but no sample. */
export function checkCsvHasRows(rows: number, file: string): void {
  if (rows === 0) throw new DataFormatError(`${file}: no data rows`, file);
}

/** A blank line carries no sample (a trailing newline, a gap between rows). */
export function isBlankCsvLine(raw: string): boolean {
  return raw.trim() === "";
}

/** Integer labels >= 0 are class indices; any other number makes the column a regression target. */
export function isClassLabel(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}
