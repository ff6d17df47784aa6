import { Command, CommanderError, Option } from "commander";
import { PASS_NAMES, type PassName } from "../compiler/pipeline.js";
import { checkCommand } from "./commands/check.js";
import { compileCommand, type CompileFlags } from "./commands/compile.js";
import { explainCommand } from "./commands/explain.js";
import { fmtCommand } from "./commands/fmt.js";
import { EXIT, UsageError } from "./exit-codes.js";
import { tolerateClosedStdout } from "./output.js";
import type { SampleFlags } from "./commands/sample.js";
import {
  backend,
  emitTarget,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
  profileFlag,
  strategy,
  transport,
} from "./flags.js";
import type { Backend } from "../compiler/ir/config.js";
import { VERSION } from "./version.js";

/**
 * The `mgpuc` command line (CLI.md). The compile path never imports TensorFlow.js: the training verbs load
 * the runtime lazily, so `mgpuc check` starts in a fraction of a second.
 */
function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("mgpuc")
    .description("compile a .model file into a multi-device training plan, explain it, and run it")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(run mgpuc --help for usage)")
    .enablePositionalOptions();

  const compileFlags = (cmd: Command) =>
    cmd
      .option("--model <name>", "which model of the file")
      .option("--devices <n>", "device count (overrides the parallel section)", positiveInt)
      .addOption(new Option("--strategy <s>", "placement strategy").argParser(strategy))
      .option(
        "--profile <name|file>",
        "device profile: h100, a100, v100, cpu, or a profile JSON file",
        profileFlag,
      )
      .option("--microbatches <m>", "micro-batches per step for pipeline stages", positiveInt);

  compileFlags(
    program
      .command("compile <file>", { isDefault: true, hidden: true })
      .description("compile FILE.model and emit a plan, TypeScript, a summary, a graph, or a Python program")
      .addOption(
        new Option("--emit <target>", "plan | ts | summary | dot | torch | keras")
          .argParser(emitTarget)
          .default("plan"),
      )
      .option("-o, --output <file>", "write to FILE instead of stdout")
      .addOption(new Option("--dump-after <pass>", "print the IR after a pass").choices(PASS_NAMES))
      .option("--json", "diagnostics as JSON lines"),
  ).action(async (file: string, flags: CompileFlags & { dumpAfter?: PassName }) =>
    setExit(await compileCommand(file, flags)),
  );

  program
    .command("fmt <files...>")
    .description("canonical formatting of .model files")
    .option("--check", "change nothing; exit 1 naming the files that would change")
    .option("--write", "rewrite the files that change")
    .action((files: string[], flags: { check?: boolean; write?: boolean }) =>
      setExit(fmtCommand(files, flags)),
    );

  program
    .command("lsp")
    .description("a Language Server Protocol server over stdio")
    .option("--stdio", "talk over stdin and stdout (the only transport; accepted as clients pass it)")
    .action(async () => {
      const { lspCommand } = await import("./commands/lsp.js");
      await lspCommand();
    });

  program
    .command("check <file>")
    .description("diagnostics only")
    .option("--model <name>", "which model of the file")
    .option("--json", "diagnostics as JSON lines")
    .action((file: string, flags: { json?: boolean; model?: string }) => setExit(checkCommand(file, flags)));

  compileFlags(
    program
      .command("explain <file>")
      .description("per layer: configuration, predicted times, runner-up, why")
      .option("--json", "the explanation as JSON"),
  ).action((file: string, flags: Omit<CompileFlags, "emit">) => setExit(explainCommand(file, flags)));

  const trainingFlags = (cmd: Command) =>
    cmd
      .option("--devices <n>", "device count", positiveInt)
      .addOption(new Option("--strategy <s>", "placement strategy").argParser(strategy))
      .option("--microbatches <m>", "micro-batches per step", positiveInt)
      .addOption(new Option("--transport <t>", "thread | process").argParser(transport))
      .addOption(
        new Option("--backend <b>", "what devices run: auto | webgpu | wasm | cpu | native").argParser(
          backend,
        ),
      )
      .option("--epochs <e>", "epochs", positiveInt)
      .option(
        "--steps <k>",
        "stop after K optimizer steps in total (also across a resume; 0 saves the initial weights)",
        nonNegativeInt,
      )
      .option("--batch <b>", "global batch size", positiveInt)
      .option("--seed <s>", "seed for initial weights, data order and dropout", nonNegativeInt)
      .option(
        "--data <source>",
        'data source, as in the train section: mnist, idx("a", "b"), csv("f"), synthetic(...)',
      )
      .option("--loss <loss>", "loss function")
      .option("--save <dir>", "checkpoint folder (default runs/<Model>)")
      .option("--no-save", "do not write checkpoints")
      .option("--resume <dir>", "continue from the newest checkpoint in DIR")
      .option("--json", "events as JSON lines");

  trainingFlags(
    compileFlagsNoDevices(program.command("train <file>").description("compile and train")),
  ).action(async (file: string, flags: Record<string, unknown>) => {
    const { trainCommand } = await import("./commands/train.js");
    setExit(await trainCommand({ kind: "model", file }, flags));
  });
  trainingFlags(program.command("run <plan>").description("train from a compiled plan")).action(
    async (plan: string, flags: Record<string, unknown>) => {
      const { trainCommand } = await import("./commands/train.js");
      setExit(await trainCommand({ kind: "plan", file: plan }, flags));
    },
  );
  program
    .command("evaluate <checkpoint>")
    .description("loss and metrics of a saved model")
    .requiredOption("--data <source>", "data source")
    .option("--loss <loss>", "loss (default: the one saved with the checkpoint)")
    .option("--json", "the result as JSON")
    .action(async (dir: string, flags: { data: string; loss?: string; json?: boolean }) => {
      const { evaluateCommand } = await import("./commands/evaluate.js");
      setExit(await evaluateCommand(dir, flags));
    });
  program
    .command("sample <run>")
    .description("text from a trained character-level model, streamed")
    .requiredOption("--prompt <text>", "the text to continue")
    .option("--tokens <n>", "characters to generate", nonNegativeInt, 200)
    .option(
      "--temperature <t>",
      "below 1 sharper, above 1 more varied; 0 always the likeliest",
      nonNegativeNumber,
      1,
    )
    .option("--top-k <k>", "draw among the k likeliest characters only (0: all)", nonNegativeInt, 0)
    .option("--seed <s>", "the same seed gives the same text", nonNegativeInt, 0)
    .action(async (dir: string, flags: SampleFlags) => {
      const { sampleCommand } = await import("./commands/sample.js");
      setExit(await sampleCommand(dir, flags));
    });
  program
    .command("devices")
    .description("backends and devices found")
    .option("--json", "as JSON")
    .action(async (flags: { json?: boolean }) => {
      const { devicesCommand } = await import("./commands/devices.js");
      setExit(await devicesCommand(flags));
    });
  program
    .command("calibrate")
    .description("measure this machine into a device profile")
    .option("-o, --output <file>", "write the profile here (default: stdout)")
    .option("--devices <n>", "workers to measure with", positiveInt)
    .addOption(
      new Option("--backend <b>", "the backend to measure: auto | webgpu | wasm | cpu").argParser(backend),
    )
    .option(
      "--quick",
      "the quick form `train` runs on a machine's first use (at most 10 s; the plan executor overheads not measured)",
    )
    .action(async (flags: { output?: string; devices?: number; backend?: Backend; quick?: boolean }) => {
      const { calibrateCommand } = await import("./commands/calibrate.js");
      setExit(await calibrateCommand(flags));
    });
  return program;
}

/** `train` takes the compile flags that are not training flags too. */
function compileFlagsNoDevices(cmd: Command): Command {
  return cmd
    .option("--model <name>", "which model of the file")
    .option("--profile <name|file>", "device profile for planning", profileFlag);
}

export async function main(argv: readonly string[]): Promise<number> {
  tolerateClosedStdout();
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; everything else commander rejects is bad usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    // A bug in mgpuc, not a user mistake: say so plainly; the stack only on request.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `internal error: ${message}\n(this is a bug in mgpuc; MGPUC_DEBUG=1 shows details)\n`,
    );
    if (process.env.MGPUC_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 70;
  }
}
