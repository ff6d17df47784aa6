/**
 * `--init-from DIR`: start from an mgpuc (tfjs / Keras layout) checkpoint, `model.json` + `weights.bin`, the
 * whole model in the 1-device layout, before the plan's model-parallel layers are split. `keras_weights` names
 * every weight of the model as the checkpoint does, from two tables the emitter writes from
 * `CHECKPOINT_WEIGHTS` (./checkpoint-weights.ts): `CHECKPOINT_LAYERS` (each layer with weights, its checkpoint
 * name and op) and the program's `CHECKPOINT_WEIGHTS` (the rows of those ops: name, torch attribute, layout).
 */
export const CHECKPOINT_PRELUDE = String.raw`
def keras_weights(model):
    """(layer module, torch tensor, checkpoint name, Keras array -> torch layout) for each weight of the model."""
    for attr, (name, op) in CHECKPOINT_LAYERS.items():
        module = getattr(model, attr)
        layer = module.layer if isinstance(module, ModelParallel) else module  #? ModelParallel
        for key, path, to_torch in CHECKPOINT_WEIGHTS[op]:
            tensor = operator.attrgetter(path)(layer)  #? ModelParallel
            tensor = operator.attrgetter(path)(module)  #? !ModelParallel
            if tensor is not None:
                yield module, tensor, name + "/" + key, to_torch


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
    for _, target, name, to_torch in keras_weights(model):
        if name not in arrays:
            fail("the checkpoint in %s has no weight %s" % (path, name))
        value = torch.from_numpy(np.array(to_torch(arrays[name]), dtype=np.float32))
        if tuple(value.shape) != tuple(target.shape):
            fail("weight %s has shape %s; the model needs %s" % (name, list(value.shape), list(target.shape)))
        with torch.no_grad():
            target.copy_(value)
`;
