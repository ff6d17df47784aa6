import { piecesOf, type Piece } from "../python/prelude.js";

/**
 * The torch program's `wrap_data_parallel` and `with_full_weights`: DistributedDataParallel over the replicated
 * parameters (model-parallel shards are ignored by DDP and reduced by the training loop), or, when the plan
 * shards parameters to fit memory, FullyShardedDataParallel with the model-parallel layers left out of it.
 * Each brings its own import: Debian's torch 1.13 cannot import FSDP, so a program imports it only to use it.
 */
export function wrapDataParallel(fsdp: boolean): Piece[] {
  const [code, line] = fsdp
    ? [FSDP_WRAP, "from torch.distributed.fsdp import FullyShardedDataParallel as FSDP"]
    : [DDP_WRAP, "from torch.nn.parallel import DistributedDataParallel as DDP"];
  return piecesOf(
    code,
    { wrap_data_parallel: { needs: ["Runtime"], imports: [line] }, with_full_weights: {} },
    "compiler/emit/torch/wrap-data-parallel.ts",
  );
}

const DDP_WRAP = String.raw`
def wrap_data_parallel(model):
    if not Runtime.distributed or Runtime.world == 1:
        return model
    sharded = [name for name, p in model.named_parameters() if getattr(p, "model_parallel", False)]
    if len(sharded) == len(list(model.parameters())):
        return model
    DDP._set_params_and_buffers_to_ignore_for_model(model, sharded)
    device_ids = [Runtime.device.index] if Runtime.device.type == "cuda" else None
    return DDP(model, device_ids=device_ids, broadcast_buffers=False)


def with_full_weights(net, model, read):
    return read(model)
`;

const FSDP_WRAP = String.raw`
def wrap_data_parallel(model):
    if not Runtime.distributed or Runtime.world == 1:
        return model
    ignored = [m for m in model.modules() if isinstance(m, ModelParallel)]  #? ModelParallel
    for module in ignored:  #? ModelParallel
        # Replicated weights inside an ignored module are all-reduced by the training loop.  #? ModelParallel
        for p in module.parameters():  #? ModelParallel
            p.reduce_by_hand = not getattr(p, "model_parallel", False)  #? ModelParallel
    device = Runtime.device if Runtime.device.type == "cuda" else None
    return FSDP(model, ignored_modules=ignored or None, device_id=device, use_orig_params=True)  #? ModelParallel
    return FSDP(model, device_id=device, use_orig_params=True)  #? !ModelParallel


def with_full_weights(net, model, read):
    if net is model:
        return read(model)
    with FSDP.summon_full_params(net):
        return read(model)
`;
