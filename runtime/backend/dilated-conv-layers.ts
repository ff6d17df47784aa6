import * as tf from "@tensorflow/tfjs";

/**
 * tfjs-layers' own convolution layers stop short of Keras on dilation:
 * - `Conv2D` runs through `tf.fused.conv2d`, whose gradient (a closure of its own, not the registered `Conv2D`
 *   gradient) refuses dilation rates above 1 whenever the activation is fused away (linear, or applied after);
 * - `DepthwiseConv2D` ignores `dilationRate` altogether, in its output shape and in its math.
 * This file patches the two layer classes, for dilated layers only, to compute what Keras computes: the plain
 * `tf.conv2d` / `tf.depthwiseConv2d` with the dilation, then the bias, then the activation (the path tfjs itself
 * takes for non-fused activations), which trains through the gradients of dilated-conv-gradients.ts. Undilated
 * layers keep tfjs's code untouched. Patching the classes (found through the serialization registry, as tfjs
 * exports only factories) covers every way a layer is made: `tf.layers.*`, the runtime's model builder, and
 * `modelFromJSON` in the workers.
 */

type Dilation = number | number[];

/** The fields of tfjs-layers' `BaseConv` that the patched methods read (all set by its constructor). */
interface ConvLayer {
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: string;
  readonly dilationRate: Dilation;
  readonly kernelSize: number[];
  readonly activation: { apply(t: tf.Tensor): tf.Tensor } | null;
  readonly bias: { read(): tf.Tensor } | null;
  /** `Conv2D`'s kernel. */
  readonly kernel?: { read(): tf.Tensor };
  /** `DepthwiseConv2D`'s kernel. */
  readonly depthwiseKernel?: { read(): tf.Tensor };
  readonly depthMultiplier?: number;
}

type Call = (this: ConvLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => tf.Tensor;
type OutputShape = (this: ConvLayer, inputShape: (number | null)[]) => (number | null)[];

function dilationPair(layer: ConvLayer): [number, number] {
  const d = layer.dilationRate;
  if (typeof d === "number") return [d, d];
  return [d[0] ?? 1, d[1] ?? d[0] ?? 1];
}

/** Only channels-last 2-D layers with a dilation above 1 take the patched path. */
function takesDilatedPath(layer: ConvLayer): boolean {
  const [h, w] = dilationPair(layer);
  return (h > 1 || w > 1) && layer.dataFormat === "channelsLast";
}

function layerPrototype(className: string): Record<string, unknown> {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) throw new Error(`tfjs-layers has no registered class ${className}`);
  return (entry[0] as unknown as { prototype: Record<string, unknown> }).prototype;
}

function oneTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor4D {
  return (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
}

function biasAndActivation(layer: ConvLayer, y: tf.Tensor): tf.Tensor {
  const biased = layer.bias === null ? y : tf.add(y, layer.bias.read());
  return layer.activation === null ? biased : layer.activation.apply(biased);
}

function padding(layer: ConvLayer): "same" | "valid" {
  return layer.padding === "same" ? "same" : "valid";
}

/** Keras's conv output length along one axis (`null` stays `null`). */
function outputLength(length: number | null, kernel: number, stride: number, dilation: number, pad: string) {
  if (length === null) return null;
  const effective = (kernel - 1) * dilation + 1;
  const covered = pad === "same" ? length : length - effective + 1;
  return Math.ceil(covered / stride);
}

function patchConv2D(): void {
  const proto = layerPrototype("Conv2D");
  const stockCall = proto["call"] as Call;
  const call: Call = function (inputs, kwargs) {
    if (!takesDilatedPath(this)) return stockCall.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const kernel = this.kernel!.read() as tf.Tensor4D;
      const y = tf.conv2d(
        x,
        kernel,
        this.strides as [number, number],
        padding(this),
        "NHWC",
        dilationPair(this),
      );
      return biasAndActivation(this, y);
    });
  };
  proto["call"] = call;
}

function patchDepthwiseConv2D(): void {
  const proto = layerPrototype("DepthwiseConv2D");
  const stockCall = proto["call"] as Call;
  const stockShape = proto["computeOutputShape"] as OutputShape;
  const call: Call = function (inputs, kwargs) {
    if (!takesDilatedPath(this)) return stockCall.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const kernel = this.depthwiseKernel!.read() as tf.Tensor4D;
      const strides = this.strides as [number, number];
      const y = tf.depthwiseConv2d(x, kernel, strides, padding(this), "NHWC", dilationPair(this));
      return biasAndActivation(this, y);
    });
  };
  const computeOutputShape: OutputShape = function (inputShape) {
    if (!takesDilatedPath(this)) return stockShape.call(this, inputShape);
    // Like tfjs's getExactlyOneShape: a one-element list of shapes stands for its shape.
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const [batch, h, w, c] = shape as [number | null, number | null, number | null, number | null];
    const [dh, dw] = dilationPair(this);
    return [
      batch,
      outputLength(h, this.kernelSize[0]!, this.strides[0]!, dh, this.padding),
      outputLength(w, this.kernelSize[1]!, this.strides[1]!, dw, this.padding),
      c === null ? null : c * (this.depthMultiplier ?? 1),
    ];
  };
  proto["call"] = call;
  proto["computeOutputShape"] = computeOutputShape;
}

let patched = false;

/** Patches tfjs-layers' Conv2D and DepthwiseConv2D for dilation (see above); safe to call more than once. */
export function patchDilatedConvLayers(): void {
  if (patched) return;
  patched = true;
  patchConv2D();
  patchDepthwiseConv2D();
}
