import { writeSync } from "node:fs";

/** Set once a write had to go through `process.stdout`: everything after it does too, to keep the order. */
let throughStream = false;

/**
 * Writes `text` to standard output straight through its file descriptor, without `process.stdout`: node builds
 * that stream on first use, and with it its stream modules (`net` for a pipe), ~5 ms of a start whose whole
 * output is one line (`mgpuc check`, issue 14).
 *
 * A pipe that is full for now (EAGAIN, a non-blocking pipe) or any other failure hands the rest to
 * `process.stdout`, which waits for the reader and reports errors as tolerateClosedStdout (output.ts) says; a
 * reader that went away (EPIPE, `mgpuc check … | head -0`) drops the output quietly, as it does there.
 */
export function writeStdoutDirect(text: string): void {
  if (throughStream) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EPIPE") return;
    throughStream = true;
    process.stdout.write(bytes.subarray(written));
  }
}
