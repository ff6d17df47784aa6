export { emitKeras } from "./emit-keras.js";
