import { CstParser } from "chevrotain";

/** chevrotain's switches for its grammar-recording phase (the GastRecorder trait), left out of its type declarations. */
interface Recorder {
  enableRecording(): void;
  disableRecording(): void;
  RECORDING_PHASE: boolean;
}

const chevrotain = CstParser.prototype as unknown as Recorder;

/**
 * A CstParser whose grammar recording is cheaper to start (issue 14). `performSelfAnalysis` records the grammar by
 * running each rule with the DSL methods (CONSUME, OR, MANY, ...) swapped for recording ones, which chevrotain sets
 * as some ninety properties on the parser itself and deletes afterwards. By then the parser is a prototype-mode
 * object (chevrotain's `toFastProperties`), on which V8 makes each such addition and deletion slow: 5–10 ms of
 * every start that parses. Here chevrotain's own `enableRecording` sets them on a separate object that is put
 * between the parser and its prototype while recording, so the parser's own properties stay as they are, and
 * its own `disableRecording` then finds nothing to delete.
 */
export class RecordingParser extends CstParser {
  enableRecording(): void {
    const recording = Object.create(Object.getPrototypeOf(this) as object) as Recorder;
    chevrotain.enableRecording.call(recording);
    Object.setPrototypeOf(this, recording);
    // The parser's own flag (false since construction) would hide the recording object's.
    (this as unknown as Recorder).RECORDING_PHASE = true;
  }

  disableRecording(): void {
    const recording = Object.getPrototypeOf(this) as object;
    Object.setPrototypeOf(this, Object.getPrototypeOf(recording) as object);
    chevrotain.disableRecording.call(this);
  }
}
