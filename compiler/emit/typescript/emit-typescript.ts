import { basename, extname } from "node:path";
import { format } from "prettier";
import { Project, VariableDeclarationKind, type CodeBlockWriter } from "ts-morph";
import type { TrainingConfig } from "../../ir/config.js";
import type { Graph } from "../../ir/graph.js";
import { commentText, wrapText } from "./comments.js";
import { literal } from "./literals.js";
import { layerCall } from "./tfjs-layers.js";
import { writeFlagHelpers, writeMain } from "./main-function.js";
import { planBlockHelpers, type BlockCalls } from "./block-helpers.js";
import { IdentifierScope } from "./identifiers.js";
import { isChain, writeBlockHelperBody, writeModelBody } from "./model-function.js";
import { INLINE_PLAN_LAYERS, planLiteral, type PlanInput } from "./plan-literal.js";
import { programDataDir, trainingLiteral } from "./training-literal.js";

export interface EmitTypeScriptInput {
  /** The IR after `inferShapes`. */
  readonly graph: Graph;
  readonly training: TrainingConfig;
  readonly plan: PlanInput;
  /** The `.model` file, for the header and as the folder the file's data paths are relative to. */
  readonly modelFile: string;
  /** A plan file the program may read at run time (relative to the program's folder) instead of inlining. */
  readonly planFile?: string;
  /** Where the program will be written, when known: its data paths are made relative to its folder. */
  readonly programFile?: string;
}

/**
 * `mgpuc FILE.model --emit ts`: a TensorFlow.js program that builds the model, and trains it across the plan's
 * devices through mgpuc's runtime. Built with ts-morph, formatted with prettier; the same input always gives
 * the same text. Every name and string from the `.model` file reaches the text through `IdentifierScope` or
 * `literal`, never by concatenation (see README.md).
 */
export async function emitTypeScript(input: EmitTypeScriptInput): Promise<string> {
  const { graph, training, plan } = input;
  const modelFileName = basename(input.modelFile);
  const programName = input.programFile
    ? basename(input.programFile)
    : `${basename(modelFileName, extname(modelFileName))}.ts`;
  const readsPlanFile = input.planFile !== undefined && plan.layers.length > INLINE_PLAN_LAYERS;

  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile("program.ts");
  file.addImportDeclarations([
    ...(readsPlanFile ? [{ moduleSpecifier: "node:fs", namedImports: ["readFileSync"] }] : []),
    { moduleSpecifier: "node:path", namedImports: readsPlanFile ? ["dirname", "resolve"] : ["dirname"] },
    { moduleSpecifier: "node:url", namedImports: ["fileURLToPath"] },
    { moduleSpecifier: "node:util", namedImports: ["parseArgs"] },
    { moduleSpecifier: "@tensorflow/tfjs", namespaceImport: "tf" },
    {
      moduleSpecifier: "mgpuc",
      namedImports: [
        "initBackend",
        "parseDataSource",
        "parseLoss",
        "trainModel",
        "TrainingFailure",
        ...packageClasses(graph),
        ...(readsPlanFile ? [{ name: "Plan", isTypeOnly: true }] : []),
        { name: "TrainingSettings", isTypeOnly: true },
      ],
    },
  ]);
  file.insertStatements(0, (writer) => writeHeader(writer, { graph, plan, modelFileName, programName }));
  file.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: "PROGRAM_DIR", initializer: "dirname(fileURLToPath(import.meta.url))" }],
  });

  const blocks: BlockCalls = isChain(graph) ? new Map() : planBlockHelpers(graph, new IdentifierScope());
  for (const helper of new Set([...blocks.values()].map((b) => b.helper))) {
    file.addFunction({
      name: helper.functionName,
      parameters: [
        { name: "prefix", type: "string" },
        ...helper.tensorParams.map((name) => ({ name, type: "tf.SymbolicTensor" })),
        ...helper.params.map((p) => ({ name: p.name, type: p.type })),
      ],
      returnType: "tf.SymbolicTensor",
      docs: [
        wrapText(
          `One call of the block \`${commentText(helper.blockName)}\` (${helper.instances.length} calls): its layers are ` +
            "named `<prefix>__<layer>`, as `mgpuc train` names them.",
        ),
      ],
      statements: (writer) => writeBlockHelperBody(writer, helper),
    });
  }

  file.addFunction({
    name: "buildModel",
    returnType: "tf.LayersModel",
    docs: [
      wrapText(
        `${commentText(graph.model)}, ${isChain(graph) ? "a chain of layers" : "built with the functional API"}. ` +
          "Layer names are the ones `mgpuc train` gives, so the same seed gives the same initial weights.",
      ),
    ],
    statements: (writer) => writeModelBody(writer, graph, blocks),
  });

  file.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    docs: [
      wrapText(
        `The train section of ${commentText(modelFileName)}, defaults filled in. ` +
          "Data paths are relative to this program's folder; `--data` paths to the current folder.",
      ),
    ],
    declarations: [
      {
        name: "training",
        type: "TrainingSettings",
        initializer: literal(trainingLiteral(training, programDataDir(input.modelFile, input.programFile))),
      },
    ],
  });

  const planDoc =
    `The placement mgpuc chose: ${plan.devices.count} × ${commentText(plan.devices.profile)}, ` +
    `strategy ${commentText(plan.strategy)}. \`mgpuc explain ${commentText(modelFileName)}\` says why.`;
  file.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    docs: [wrapText(readsPlanFile ? `${planDoc} Read at run time from the plan file.` : planDoc)],
    declarations: [
      {
        name: "plan",
        initializer: readsPlanFile
          ? `JSON.parse(readFileSync(resolve(PROGRAM_DIR, ${literal(input.planFile ?? "")}), "utf8")) as Plan`
          : literal(planLiteral(plan)),
      },
    ],
  });

  file.addFunction({
    name: "main",
    isAsync: true,
    returnType: "Promise<void>",
    statements: (writer) =>
      writeMain(writer, {
        modelName: graph.model,
        modelFileName,
        hasData: training.data !== undefined,
        hasLoss: training.loss !== undefined,
      }),
  });
  file.addStatements((writer) => {
    writeFlagHelpers(
      writer,
      `usage: npx tsx ${programName} [--steps K] [--epochs E] [--seed S] [--data SOURCE] [--devices N] [--loss LOSS]`,
    );
  });
  file.addStatements((writer) => {
    writer.blankLine();
    writer.writeLine(
      "// A failure while training (a device died, data or a checkpoint could not be read) exits 3;",
    );
    writer.writeLine("// trainModel has already said what failed and which checkpoint was kept.");
    writer.writeLine("main().catch((error: unknown) => {").indent(() => {
      writer.writeLine("if (!(error instanceof TrainingFailure && error.reported))");
      writer.writeLine(
        "  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);",
      );
      writer.writeLine("process.exit(3);");
    });
    writer.writeLine("});");
  });

  return format(spaceTopLevel(file.getFullText()), { parser: "typescript", printWidth: 110 });
}

/**
 * ts-morph leaves no blank line between some top-level statements (two `const`s, a function after text);
 * one before each top-level declaration or comment reads better. Only column-0 lines are touched, and no
 * string literal spans lines, so this never changes code.
 */
function spaceTopLevel(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  const starts = /^(\/\*\*|\/\/|function |async function |const |main\(\))/;
  for (const line of lines) {
    const previous = out[out.length - 1];
    const previousIsComment = previous !== undefined && /^(\/\/|\/\*\*| \*)/.test(previous);
    if (starts.test(line) && previous !== undefined && previous !== "" && !previousIsComment) out.push("");
    out.push(line);
  }
  return out.join("\n");
}

function writeHeader(
  writer: CodeBlockWriter,
  h: { graph: Graph; plan: PlanInput; modelFileName: string; programName: string },
): void {
  const model = commentText(h.graph.model);
  const source = commentText(h.modelFileName);
  const program = commentText(h.programName);
  writer.writeLine(
    `// ${model}: a TensorFlow.js training program generated by \`mgpuc ${source} --emit ts\`.`,
  );
  writer.writeLine(
    `// It builds the model with tfjs layers and trains it on ${h.plan.devices.count} device(s) through mgpuc's`,
  );
  writer.writeLine(
    "// runtime, then prints `final: loss=… accuracy=… val_accuracy=… samples_per_s=… weights_l2=…`.",
  );
  writer.writeLine("//");
  writer.writeLine(`// Run:   npx tsx ${program}`);
  writer.writeLine("// Flags: --steps K  --epochs E  --seed S  --data SOURCE  --devices N  --loss LOSS");
  writer.blankLine();
}

/** The layers tfjs lacks that the model uses, imported from the package (sorted, each once). */
function packageClasses(graph: Graph): string[] {
  const names = graph.nodes.filter((n) => n.op !== "input").map((n) => layerCall(n).packageClass);
  return [...new Set(names.filter((n): n is string => n !== undefined))].sort();
}
