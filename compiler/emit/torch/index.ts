export { emitTorch } from "./emit-torch.js";
export type { EmitResult, EmittedFile, PlanView, PythonEmitInput } from "../python/emit-input.js";
