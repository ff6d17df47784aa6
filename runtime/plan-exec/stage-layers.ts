import * as tf from "@tensorflow/tfjs";
import { activationOf, attrsOf, shardAttrs, shardedWidth } from "../../compiler/ops/index.js";
import { CounterDropout } from "../layers/index.js";
import { attentionShardForNode, layerForNode, tfjsLayerName } from "../model/index.js";
import { channelBounds } from "./weight-shards.js";
import type { LayerRole } from "./stage-layout.js";

/**
 * One layer as a worker holds it: the tfjs layer (a shard when split) and a split layer's activation, applied
 * to its block when it works channel by channel, after gathering otherwise (softmax).
 */
export interface HeldLayer {
  readonly role: LayerRole;
  readonly layer: tf.layers.Layer | null;
  readonly activation: { readonly layer: tf.layers.Layer; readonly perChannel: boolean } | null;
  /**
   * How the layer is applied when not by `layer.apply`: a row-parallel dense multiplies its input block by its
   * kernel shard and adds the bias on model rank 0 only, a vocabulary-parallel embedding looks up the ids in
   * its block of rows: partial sums that add up to the whole output.
   */
  readonly call?: (inputs: readonly tf.Tensor[]) => tf.Tensor;
}

/** The width of this device's block of the layer's output channels (units). */
export function shardWidth(role: LayerRole): number {
  return blockWidth(role.layer.outputShape.at(-1)!, role);
}

/** The width of this device's block of `channels` under the layer's model degree. */
function blockWidth(channels: number, role: LayerRole): number {
  const [lo, hi] = channelBounds(channels, role.modelDegree, role.modelIndex);
  return hi - lo;
}

/** A non-linear activation split off a layer, to run where the layer's output is whole or a channel block. */
function splitActivation(name: string, act: string | undefined): HeldLayer["activation"] {
  if (act === undefined || act === "linear") return null;
  return {
    layer: tf.layers.activation({ name: `${name}_act`, activation: act as "relu" }),
    perChannel: act !== "softmax",
  };
}

/** Ids in [lo, hi) look up their row of this device's block of the table; the others give zeros. */
function vocabularyCall(layer: tf.layers.Layer, lo: number, hi: number): HeldLayer["call"] {
  return ([ids]) => {
    const table = layer.trainableWeights[0]!.read();
    const local = tf.sub(tf.cast(ids!, "int32"), lo);
    const inside = tf.logicalAnd(tf.greaterEqual(local, 0), tf.less(local, hi - lo));
    const rows = tf.gather(table, tf.cast(tf.clipByValue(local, 0, hi - lo - 1), "int32"));
    return tf.mul(rows, tf.expandDims(tf.cast(inside, "float32"), -1));
  };
}

/** x (…, block of input features) × kernel shard [block, units], + bias on model rank 0 only. */
function rowParallelCall(layer: tf.layers.Layer, addsBias: boolean): HeldLayer["call"] {
  return ([x]) => {
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read());
    const width = x!.shape.at(-1)!;
    const flat = tf.matMul(tf.reshape(x!, [-1, width]), kernel!);
    const y = addsBias && bias !== undefined ? tf.add(flat, bias) : flat;
    return tf.reshape(y, [...x!.shape.slice(0, -1), kernel!.shape[1]!]);
  };
}

/**
 * Builds the layer for `role` (inputs shaped like its producers' outputs): a split dense/conv2d has only its
 * shard's units/filters and a linear activation (softmax must see every channel, so it runs after the gather);
 * dropout is CounterDropout, so masks depend on global rows only.
 */
export function holdLayer(role: LayerRole, inputShapes: readonly (readonly number[])[]): HeldLayer {
  const planLayer = role.layer;
  const name = tfjsLayerName(planLayer.name);
  if (planLayer.op === "input") return { role, layer: null, activation: null };
  let layer: tf.layers.Layer;
  let activation: HeldLayer["activation"] = null;
  let call: HeldLayer["call"];
  if (role.mode === "row") {
    // Whole units, a block of the input features; the activation runs after the partial sums are added up.
    layer = layerForNode(shardAttrs(planLayer, { linear: true }), name);
    activation = splitActivation(name, activationOf(planLayer));
    call = rowParallelCall(layer, role.modelIndex === 0);
  } else if (role.mode === "heads") {
    const totalHeads = Number(shardedWidth(planLayer));
    const heads = totalHeads / role.modelDegree;
    layer = attentionShardForNode(shardAttrs(planLayer, { width: heads }), name, {
      firstHead: role.modelIndex * heads,
      totalHeads,
      outputBias: role.modelIndex === 0,
    });
  } else if (role.mode === "vocabulary") {
    const rows = Number(shardedWidth(planLayer));
    const [lo, hi] = channelBounds(rows, role.modelDegree, role.modelIndex);
    layer = layerForNode(shardAttrs(planLayer, { width: hi - lo }), name);
    call = vocabularyCall(layer, lo, hi);
  } else if (planLayer.op === "dropout") {
    layer = new CounterDropout({ name, rate: attrsOf(planLayer, "dropout").rate });
  } else if (role.split) {
    // Column-parallel: this device's block of the units (filters), the activation after the gather.
    layer = layerForNode(shardAttrs(planLayer, { width: shardWidth(role), linear: true }), name);
    activation = splitActivation(name, activationOf(planLayer));
  } else {
    layer = layerForNode(planLayer, name);
  }
  // A channelwise layer sees only its channel block of each input, a row-parallel one its input's block.
  const blocked = role.channelwise || role.mode === "row";
  const shapes = inputShapes.map((s) => [
    null,
    ...(blocked ? [...s.slice(0, -1), blockWidth(s.at(-1)!, role)] : s),
  ]);
  layer.build(shapes.length === 1 ? shapes[0]! : shapes);
  layer.built = true;
  return { role, layer, activation, ...(call ? { call } : {}) };
}
