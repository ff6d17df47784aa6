import type { CodeBlockWriter } from "ts-morph";
import { literal } from "./literals.js";

export interface MainOptions {
  readonly modelName: string;
  /** The `.model` file's base name, for messages. */
  readonly modelFileName: string;
  readonly hasData: boolean;
  readonly hasLoss: boolean;
}

/**
 * `main()`: flags over the file's settings, then one `trainModel` call. `--data` paths are the user's, relative
 * to where they run the program; the file's own are relative to the program's folder.
 */
export function writeMain(writer: CodeBlockWriter, options: MainOptions): void {
  const missing = (flag: string, what: string) =>
    `usage(${literal(`${flag} is required: ${options.modelFileName} has no \`${what}:\` in a train section`)})`;
  writer.writeLine("const flags = readFlags();");
  writer.writeLine(
    `const data = flags.data ?? ${options.hasData ? "training.data" : missing("--data SOURCE", "data")};`,
  );
  writer.writeLine(
    `const loss = flags.loss ?? ${options.hasLoss ? "training.loss" : missing("--loss LOSS", "loss")};`,
  );
  writer.writeLine(
    "// tfjs needs a backend before the model is built: native tfjs-node when installed, else wasm.",
  );
  writer.writeLine("await initBackend();");
  writer.writeLine("// trainModel reports progress per epoch and ends with the `final:` line.");
  writer.writeLine("await trainModel({");
  writer.writeLine("model: buildModel(),");
  writer.writeLine(`modelName: ${literal(options.modelName)},`);
  writer.writeLine("training: { ...training, data, loss, spans: {} },");
  writer.writeLine("devices: flags.devices ?? plan.devices.count,");
  writer.writeLine("steps: flags.steps,");
  writer.writeLine("epochs: flags.epochs,");
  writer.writeLine("seed: flags.seed,");
  writer.writeLine("baseDir: flags.data === undefined ? PROGRAM_DIR : process.cwd(),");
  writer.writeLine("});");
}

/** `readFlags`, `intFlag` and `usage`: `node:util`'s parseArgs, and exit code 2 for bad usage (CLI.md). */
export function writeFlagHelpers(writer: CodeBlockWriter, usageLine: string): void {
  writer.writeLine("function readFlags() {").indent(() => {
    writer.writeLine("try {").indent(() => {
      writer.writeLine("const { values } = parseArgs({");
      writer.writeLine("options: {");
      for (const flag of ["steps", "epochs", "seed", "data", "devices", "loss"])
        writer.writeLine(`${flag}: { type: "string" },`);
      writer.writeLine("},");
      writer.writeLine("});");
      writer.writeLine("return {");
      writer.writeLine('steps: intFlag("--steps", values.steps, 1),');
      writer.writeLine('epochs: intFlag("--epochs", values.epochs, 1),');
      writer.writeLine('seed: intFlag("--seed", values.seed, 0),');
      writer.writeLine('devices: intFlag("--devices", values.devices, 1),');
      writer.writeLine("data: values.data === undefined ? undefined : parseDataSource(values.data),");
      writer.writeLine("loss: values.loss === undefined ? undefined : parseLoss(values.loss),");
      writer.writeLine("};");
    });
    writer.writeLine("} catch (error) {").indent(() => {
      writer.writeLine("return usage(error instanceof Error ? error.message : String(error));");
    });
    writer.writeLine("}");
  });
  writer.writeLine("}").blankLine();

  writer.writeLine(
    "function intFlag(flag: string, text: string | undefined, min: number): number | undefined {",
  );
  writer.indent(() => {
    writer.writeLine("if (text === undefined) return undefined;");
    writer.writeLine("const value = Number(text);");
    writer.writeLine(
      "if (!Number.isInteger(value) || value < min) throw new Error(`${flag} takes an integer >= ${min}, got ${JSON.stringify(text)}`);",
    );
    writer.writeLine("return value;");
  });
  writer.writeLine("}").blankLine();

  writer.writeLine("function usage(message: string): never {").indent(() => {
    writer.writeLine("console.error(`error: ${message}`);");
    writer.writeLine(`console.error(${literal(usageLine)});`);
    writer.writeLine("process.exit(2);");
  });
  writer.writeLine("}");
}
