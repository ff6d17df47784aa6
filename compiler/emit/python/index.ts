export type { EmitResult, EmittedFile, PlanLayerView, PlanView, PythonEmitInput } from "./emit-input.js";
export { pyBool, pyFloat, pyNumber, pyString, pyTuple } from "./literals.js";
export { pythonIdentifier, uniqueIdentifiers } from "./identifiers.js";
export { mnistIdxFiles, MNIST_IMAGES_FILE, MNIST_LABELS_FILE } from "./mnist-files.js";
export { launchHeader, programStem } from "./header.js";
