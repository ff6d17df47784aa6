/**
 * `--init-from DIR`: start from an mgpuc (tfjs / Keras layout) checkpoint, `model.json` + `weights.bin`, the
 * whole model in the 1-device layout, before the plan's model-parallel layers are split. Keras kernels are
 * [in, out] and [kh, kw, in, out]; torch's are [out, in] and [out, in, kh, kw]. `keras_weights` keeps the
 * branches of the module kinds the program builds.
 */
export const CHECKPOINT_PRELUDE = String.raw`
def keras_weights(module):
    """(torch tensor, Keras weight name, Keras array -> torch layout) for each weight of a module."""
    same = lambda a: a
    if isinstance(module, Layer):  #? Layer
        core = module.core  #? Layer
        if isinstance(core, LinearCore):  #? LinearCore
            yield core.weight, "kernel", lambda k: k.T  #? LinearCore
        elif core.groups == 1:  #? conv2d
            yield core.weight, "kernel", lambda k: k.transpose(3, 2, 0, 1)  #? conv2d
        elif core.groups > 1:  #? depthwise_conv2d
            yield core.weight, "depthwise_kernel", lambda k: k.transpose(2, 3, 0, 1).reshape(-1, 1, *k.shape[:2])  #? depthwise_conv2d
        if core.bias is not None:  #? Layer
            yield core.bias, "bias", same  #? Layer
    elif isinstance(module, BatchNorm):  #? BatchNorm
        yield module.weight, "gamma", same  #? BatchNorm
        yield module.bias, "beta", same  #? BatchNorm
        yield module.moving_mean, "moving_mean", same  #? BatchNorm
        yield module.moving_variance, "moving_variance", same  #? BatchNorm
    elif isinstance(module, nn.LayerNorm):  #? nn.LayerNorm
        yield module.weight, "gamma", same  #? nn.LayerNorm
        yield module.bias, "beta", same  #? nn.LayerNorm
    elif isinstance(module, nn.Embedding):  #? embedding
        yield module.weight, "embeddings", same  #? embedding
    elif isinstance(module, MultiHeadAttention):  #? MultiHeadAttention
        for part in ("query", "key", "value"):  #? MultiHeadAttention
            yield getattr(module, part + "_kernel"), part + "/kernel", same  #? MultiHeadAttention
            if getattr(module, part + "_bias") is not None:  #? MultiHeadAttention
                yield getattr(module, part + "_bias"), part + "/bias", same  #? MultiHeadAttention
        yield module.output_kernel, "attention_output/kernel", same  #? MultiHeadAttention
        if module.output_bias is not None:  #? MultiHeadAttention
            yield module.output_bias, "attention_output/bias", same  #? MultiHeadAttention
    elif isinstance(module, PositionEmbedding):  #? PositionEmbedding
        yield module.weight, "position_embeddings", same  #? PositionEmbedding


def read_checkpoint(path):
    """{weight name: float32 array} from a tfjs LayersModel folder, or a run folder with a 'latest' file."""
    if os.path.isfile(os.path.join(path, "latest")):
        with open(os.path.join(path, "latest")) as f:
            path = os.path.join(path, f.read().strip())
    try:
        with open(os.path.join(path, "model.json")) as f:
            manifest = json.load(f)["weightsManifest"]
        arrays = {}
        for group in manifest:
            raw = b""
            for name in group["paths"]:
                with open(os.path.join(path, name), "rb") as f:
                    raw += f.read()
            offset = 0
            for w in group["weights"]:
                count = int(np.prod(w["shape"]))
                if w.get("dtype", "float32") != "float32":
                    fail("%s: weight %s is %s, not float32" % (path, w["name"], w["dtype"]))
                arrays[w["name"]] = np.frombuffer(raw, "<f4", count, offset).reshape(w["shape"])
                offset += 4 * count
        return arrays
    except (OSError, ValueError, KeyError) as e:
        fail("cannot read the checkpoint in %s: %s" % (path, e))


def load_keras_weights(model, path):
    arrays = read_checkpoint(path)
    for attr, module in model.named_children():
        name = KERAS_NAMES.get(attr, attr)
        for target, key, to_torch in keras_weights(module):
            full = name + "/" + key
            if full not in arrays:
                fail("the checkpoint in %s has no weight %s" % (path, full))
            value = torch.from_numpy(np.array(to_torch(arrays[full]), dtype=np.float32))
            if tuple(value.shape) != tuple(target.shape):
                fail("weight %s has shape %s; the model needs %s" % (full, list(value.shape), list(target.shape)))
            with torch.no_grad():
                target.copy_(value)
`;
