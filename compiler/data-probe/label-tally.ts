import { isClassLabel } from "../data-formats/csv-format.js";
import type { LabelAt, LabelFacts } from "./data-facts.js";

/**
 * Collects the facts about labels as they are read, one value at a time. `where(i)` names label i for messages;
 * it is called only for the few labels a message may quote.
 */
export class LabelTally {
  private count = 0;
  private max: LabelAt | undefined;
  private min: LabelAt | undefined;
  private notClass: LabelAt | undefined;
  private notBinary: LabelAt | undefined;

  constructor(private readonly where: (index: number) => string) {}

  add(value: number): void {
    const i = this.count++;
    if (this.max === undefined || value > this.max.value) this.max = { value, at: this.where(i) };
    if (this.min === undefined || value < this.min.value) this.min = { value, at: this.where(i) };
    if (this.notClass === undefined && !isClassLabel(value)) this.notClass = { value, at: this.where(i) };
    if (this.notBinary === undefined && value !== 0 && value !== 1)
      this.notBinary = { value, at: this.where(i) };
  }

  /** Undefined when no label was read. */
  facts(complete: boolean): LabelFacts | undefined {
    if (this.max === undefined || this.min === undefined) return undefined;
    const range =
      this.min.value === this.max.value ? `${this.min.value}` : `${this.min.value}-${this.max.value}`;
    const summary =
      this.notClass === undefined
        ? `integer ${range}`
        : `non-integer (${this.notClass.value} at ${this.notClass.at})`;
    return {
      max: this.max,
      min: this.min,
      ...(this.notClass ? { notClass: this.notClass } : {}),
      ...(this.notBinary ? { notBinary: this.notBinary } : {}),
      complete,
      count: this.count,
      summary,
    };
  }
}

/** Labels that the source defines rather than stores: classes 0..classes-1, every one present. */
export function definedLabels(classes: number, summary: string, where: string): LabelFacts {
  const at = (value: number): LabelAt => ({ value, at: where });
  return {
    definedClasses: classes,
    max: at(classes - 1),
    min: at(0),
    ...(classes > 2 ? { notBinary: at(2) } : {}),
    complete: true,
    count: classes,
    summary,
  };
}
