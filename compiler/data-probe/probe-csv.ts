import { basename } from "node:path";
import {
  checkCsvHasRows,
  csvCells,
  csvLines,
  isBlankCsvLine,
  parseCsvHeader,
  parseCsvRow,
} from "../data-formats/csv-format.js";
import { DataFormatError } from "../data-formats/format-error.js";
import type { DataProbe } from "./data-facts.js";
import { LabelTally } from "./label-tally.js";
import { readHead, UnreadableFile } from "./read-head.js";

/**
 * How much of a CSV file the compiler reads: the header and the rows in the first 256 KiB (thousands of rows;
 * all of many files), a few milliseconds. The runtime reads the rest when training starts.
 */
export const CSV_READ_BYTES = 256 << 10;

/**
 * `csv(path, label:)` at compile time: the header (the label column, the feature count) and the first rows
 * (every cell a number, one per column; the labels' range and kind).
 */
export function probeCsv(file: string, label: string, readLabels: boolean): DataProbe {
  let head;
  try {
    head = readHead(file, CSV_READ_BYTES, { gunzip: false });
  } catch (error) {
    if (!(error instanceof UnreadableFile)) throw error;
    return error.missing ? { kind: "unknown" } : { kind: "unreadable", message: error.message, path: file };
  }
  const lines = csvLines(Buffer.from(head.bytes).toString("utf8"));
  // A head cut inside a row: that last, partial row is the runtime's to read.
  if (!head.complete) lines.pop();
  const name = basename(file);
  const rowLines: number[] = [];
  const tally = new LabelTally((i) => `line ${rowLines[i]} of ${name}`);
  const columns = csvCells(lines[0] ?? "");
  if (readLabels && !isBlankCsvLine(lines[0] ?? "") && !columns.includes(label))
    return { kind: "no-label-column", path: file, label, columns };
  try {
    const header = parseCsvHeader(lines[0] ?? "", label, file, { labels: readLabels });
    for (let i = 1; i < lines.length; i++) {
      if (isBlankCsvLine(lines[i]!)) continue;
      rowLines.push(i + 1);
      const row = parseCsvRow(lines[i]!, i + 1, header);
      if (readLabels) tally.add(row.label);
    }
    if (head.complete) checkCsvHasRows(rowLines.length, file);
    const labels = readLabels ? tally.facts(head.complete) : undefined;
    return {
      kind: "facts",
      facts: {
        name: "csv",
        sampleShape: [header.features.length],
        flat: true,
        columns: { features: header.features, ...(header.labelColumn >= 0 ? { label } : {}) },
        ...(labels ? { labels } : {}),
      },
    };
  } catch (error) {
    if (!(error instanceof DataFormatError)) throw error;
    return {
      kind: "unreadable",
      message: error.message,
      path: error.path,
      ...(error.line !== undefined ? { line: error.line } : {}),
    };
  }
}
