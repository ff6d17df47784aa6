import { basename } from "node:path";
import { DataFormatError } from "../data-formats/format-error.js";
import {
  checkIdxLength,
  checkIdxPair,
  idxClassLabels,
  parseIdxHeader,
  readIdxValues,
} from "../data-formats/idx-format.js";
import type { DataProbe, LabelFacts } from "./data-facts.js";
import { LabelTally } from "./label-tally.js";
import { readHead, UnreadableFile } from "./read-head.js";

/** An images header is 16 bytes (magic and three sizes). */
const IMAGES_HEADER_BYTES = 16;

/**
 * Label files larger than this are not read at compile time (the label range goes unchecked); MNIST's 60,000
 * labels are 60 KB. Images are never read past their header.
 */
const LABELS_READ_LIMIT = 16 << 20;

/**
 * `idx(images, labels)` at compile time: the images header (count and sample shape; the file's length when it
 * is not gzipped) and the whole label file (its count, and every label for the range and kind).
 */
export function probeIdx(images: string, labels: string, readLabels: boolean): DataProbe {
  try {
    const imageHead = readHead(images, IMAGES_HEADER_BYTES, { gunzip: true });
    const imageHeader = parseIdxHeader(imageHead.bytes, images, 3);
    if (imageHead.fileBytes !== undefined) checkIdxLength(imageHeader, imageHead.fileBytes);
    const labelFacts = readLabels ? probeLabels(labels, imageHeader) : undefined;
    return {
      kind: "facts",
      facts: {
        name: "idx",
        sampleShape: imageHeader.shape.slice(1),
        flat: false,
        ...(labelFacts ? { labels: labelFacts } : {}),
      },
    };
  } catch (error) {
    if (error instanceof DataFormatError)
      return { kind: "unreadable", message: error.message, path: error.path };
    // A missing file was already warned about (MG2204); the runtime says the rest when training starts.
    if (error instanceof UnreadableFile)
      return error.missing
        ? { kind: "unknown" }
        : { kind: "unreadable", message: error.message, path: images };
    throw error;
  }
}

function probeLabels(labels: string, images: ReturnType<typeof parseIdxHeader>): LabelFacts | undefined {
  const header = parseIdxHeader(readHead(labels, 8, { gunzip: true }).bytes, labels, 1);
  checkIdxPair(images, header);
  if (header.totalBytes > LABELS_READ_LIMIT) return undefined;
  const whole = readHead(labels, Infinity, { gunzip: true });
  // The runtime refuses labels that are not class indices whatever the loss; so does the check, in its words.
  const classLabels = idxClassLabels(readIdxValues(whole.bytes, header), header).labels;
  const name = basename(labels);
  const tally = new LabelTally((i) => `sample ${i} of ${name}`);
  for (const value of classLabels) tally.add(value);
  return tally.facts(true);
}
