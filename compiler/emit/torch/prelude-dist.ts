/**
 * The torch program's distributed helpers: process-group setup for torchrun or a plain RANK/WORLD_SIZE/MASTER_*
 * environment, and autograd-correct collectives. Every rank holds different samples, so the backward of a
 * gather sums the gradient over the group (all_reduce) before taking its own slice: each rank's loss depends on
 * every rank's piece.
 */
export const DIST_PRELUDE = String.raw`
class Runtime:
    rank = 0
    world = 1
    device = torch.device("cpu")
    distributed = False


def setup_distributed():
    """torchrun sets RANK, WORLD_SIZE, LOCAL_RANK; other launchers may set only RANK, WORLD_SIZE, MASTER_*."""
    Runtime.rank = int(os.environ.get("RANK", "0"))
    Runtime.world = int(os.environ.get("WORLD_SIZE", "1"))
    Runtime.distributed = "RANK" in os.environ and "MASTER_ADDR" in os.environ
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", Runtime.rank % torch.cuda.device_count()))
        torch.cuda.set_device(local)
        Runtime.device = torch.device("cuda", local)
    if Runtime.distributed:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend, rank=Runtime.rank, world_size=Runtime.world)
    else:
        Runtime.world = 1


_GROUPS = {}


def model_parallel_groups(degree):
    """(group, index, replicas) for model degree d: ranks [k*d, (k+1)*d) share a layer's shards; ranks
    holding the same shard form its replica group. Every rank creates every group, in the same order, as
    new_group requires."""
    if degree not in _GROUPS:
        mine = replicas = None
        for k in range(Runtime.world // degree):
            group = dist.new_group(list(range(k * degree, (k + 1) * degree)))
            if Runtime.rank // degree == k:
                mine = group
        for index in range(degree):
            group = dist.new_group(list(range(index, Runtime.world, degree)))
            if Runtime.rank % degree == index:
                replicas = group
        _GROUPS[degree] = (mine, Runtime.rank % degree, replicas)
    return _GROUPS[degree]


class _GatherCat(torch.autograd.Function):
    """Concatenates every group member's x along dim (sizes may differ: pieces are padded to the largest)."""

    @staticmethod
    def forward(ctx, x, dim, group, sizes):
        index = dist.get_rank(group)
        top = max(sizes)
        if x.shape[dim] < top:
            pad = list(x.shape)
            pad[dim] = top - x.shape[dim]
            x = torch.cat([x, x.new_zeros(pad)], dim)
        parts = [torch.empty_like(x) for _ in sizes]
        dist.all_gather(parts, x.contiguous(), group=group)
        ctx.dim, ctx.group = dim, group
        ctx.offset, ctx.size = sum(sizes[:index]), sizes[index]
        return torch.cat([p.narrow(dim, 0, s) for p, s in zip(parts, sizes)], dim)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, group=ctx.group)
        return grad.narrow(ctx.dim, ctx.offset, ctx.size), None, None, None


class _AllReduceSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        x = x.clone()
        dist.all_reduce(x, group=group)
        return x

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, group=ctx.group)
        return grad, None


def all_reduce_sum(x, group=None):
    return _AllReduceSum.apply(x, group) if Runtime.distributed else x


def gather_dim(x, dim, group):
    """The group's pieces of x joined along dim, and where this rank's own piece starts in them."""
    size = torch.tensor([x.shape[dim]], device=x.device)
    sizes = [torch.zeros_like(size) for _ in range(dist.get_world_size(group))]
    dist.all_gather(sizes, size, group=group)
    sizes = [int(s.item()) for s in sizes]
    return _GatherCat.apply(x, dim, group, sizes), sum(sizes[: dist.get_rank(group)])


def gather_rows(x, group):
    """The group's samples stacked, and where this rank's own rows start in them."""
    return gather_dim(x, 0, group)


class ShardedLogits:
    """A column-parallel softmax output left in class blocks, its loss computed on them (Megatron-LM's
    vocabulary-parallel cross-entropy; the plan's 'column_loss'): this rank's logits for the model group's rows,
    classes [lo, lo + width). The loss is Keras's: -log(clip(q_t / sum q)), q = clip(softmax(z), 1e-7, 1 - 1e-7),
    from the max (all-reduced, no gradient), the sum of exponentials, then the clipped probabilities' sum and
    the target's (all-reduced). Scores are returned for this rank's own rows."""

    def __init__(self, z, lo, group, offset, rows):
        self.z, self.lo, self.group, self.offset, self.rows = z, lo, group, offset, rows

    def detach(self):
        return ShardedLogits(self.z.detach(), self.lo, self.group, self.offset, self.rows)

    def best(self):
        """(max, argmax) over every class, per position of the group's rows; a tie goes to the lowest class."""
        top, where = self.z.detach().max(-1)
        best = top.clone()
        dist.all_reduce(best, op=dist.ReduceOp.MAX, group=self.group)
        index = torch.where(top == best, where + self.lo, torch.full_like(where, 2**62))
        dist.all_reduce(index, op=dist.ReduceOp.MIN, group=self.group)
        return best, index

    def ids(self, y):
        full, _ = gather_rows(y.long(), self.group)
        return full.reshape(self.z.shape[:-1])

    def mine(self, per_position):
        return per_position.reshape(len(per_position), -1).mean(-1).narrow(0, self.offset, self.rows)

    def per_sample_loss(self, y):
        ids, best = self.ids(y), self.best()[0]
        e = torch.exp(self.z - best.unsqueeze(-1))
        total = _AllReduceSum.apply(e.sum(-1), self.group)
        q = (e / total.unsqueeze(-1)).clamp(1e-7, 1.0 - 1e-7)
        width = self.z.shape[-1]
        local = ids - self.lo
        inside = (local >= 0) & (local < width)
        target = q.gather(-1, local.clamp(0, width - 1).unsqueeze(-1)).squeeze(-1) * inside
        sums = _AllReduceSum.apply(torch.stack([q.sum(-1), target], -1), self.group)
        return self.mine(-torch.log((sums[..., 1] / sums[..., 0]).clamp(1e-7, 1.0 - 1e-7)))

    def correct(self, y):
        return self.mine((self.best()[1] == self.ids(y)).float()).sum()


SHARD_CUTS = {  # per layout, module attribute -> axis cut (torch's layout); None: whole, added by shard 0 alone
    "column": {"weight": 0, "bias": 0},
    "column_loss": {"weight": 0, "bias": 0},  #? ShardedLogits
    "row": {"weight": 1, "bias": None},
    "heads": {
        "query_kernel": 1, "query_bias": 0, "key_kernel": 1, "key_bias": 0, "value_kernel": 1, "value_bias": 0,
        "output_kernel": 0, "output_bias": None,
    },
    "vocabulary": {"weight": 0},
}


class ModelParallel(nn.Module):
    """A layer split over a model-parallel group exactly as the plan and mgpuc's runtime split it (Megatron-LM's
    layouts): 'column' cuts a dense's units or a conv's filters, the outputs all-gathered; 'row' cuts a dense
    after a column-parallel one by its input features, its partial sums all-reduced and its bias added once;
    'heads' gives each rank whole attention heads (Q/K/V by heads, the output projection by rows), partial
    sums all-reduced, the output bias added once; 'vocabulary' gives each rank a block of an embedding's
    rows, ids outside it looking up zeros, partial sums all-reduced. Shards are cut from the full layer's initialisation, so any
    degree starts from the same weights. Each rank gathers the group's samples, computes its part, combines
    the parts and keeps its own rows (backward: the input gradients' partial sums are summed)."""

    def __init__(self, layer, degree, mode):
        super().__init__()
        self.group, self.index, self.replicas = model_parallel_groups(degree)
        self.mode, self.layer = mode, layer
        target = layer if mode in ("heads", "vocabulary") else layer.core
        cuts = SHARD_CUTS[mode]
        extent = {"column": lambda: target.weight.shape[0], "column_loss": lambda: target.weight.shape[0], "row": lambda: target.weight.shape[1],
                  "heads": lambda: target.query_kernel.shape[1], "vocabulary": lambda: target.weight.shape[0]}[mode]()
        self.sizes = [len(t) for t in torch.tensor_split(torch.empty(extent), degree)]
        for name, dim in cuts.items():
            full = getattr(target, name)
            if full is not None:
                setattr(target, name, shard_of(full, degree, dim, self.index))
        if mode == "heads":
            # Dropout keys the attention probabilities' masks by the whole layer's head index.
            layer.head_block = (sum(self.sizes[: self.index]), extent)

    def forward(self, x):
        rows = x.shape[0]
        full, offset = gather_rows(x, self.group)
        if self.mode == "column":
            y = _GatherCat.apply(self.layer.core(full), -1, self.group, self.sizes)
        elif self.mode == "column_loss":  #? ShardedLogits
            # Softmax and loss on the class blocks: the logits are never gathered.  #? ShardedLogits
            lo = sum(self.sizes[: self.index])  #? ShardedLogits
            return ShardedLogits(self.layer.core(full), lo, self.group, offset, rows)  #? ShardedLogits
        elif self.mode == "vocabulary":
            # Ids in this rank's block of rows look them up; the others give zeros.
            lo, rows_here = sum(self.sizes[: self.index]), self.sizes[self.index]
            local = full - lo
            inside = ((local >= 0) & (local < rows_here)).unsqueeze(-1)
            y = F.embedding(local.clamp(0, rows_here - 1), self.layer.weight) * inside
            return _AllReduceSum.apply(y, self.group).narrow(0, offset, rows)
        elif self.mode == "row":
            core = self.layer.core
            block = full.narrow(-1, sum(self.sizes[: self.index]), self.sizes[self.index])
            y = _AllReduceSum.apply(F.linear(block, core.weight, core.bias if self.index == 0 else None), self.group)
        else:
            # The gathered rows start at the group's first sample: attention dropout keys masks by sample.
            first = Batch.offset
            Batch.offset = first - offset
            try:
                y = _AllReduceSum.apply(self.layer(full, add_output_bias=self.index == 0), self.group)
            finally:
                Batch.offset = first
            return y.narrow(0, offset, rows)
        return self.layer.activate(y.narrow(0, offset, rows))


def shard_of(full, degree, dim, index):
    """Piece index of degree along dim (dim None: the whole tensor, learned by shard 0 alone)."""
    data = full.detach() if dim is None else torch.tensor_split(full.detach(), degree, dim)[index]
    shard = nn.Parameter(data.clone())
    shard.model_parallel, shard.shard_dim = True, dim
    return shard


def sharded_parameters(model):
    """(module, parameter) for every parameter split over a model-parallel group."""
    for module in model.modules():
        if isinstance(module, ModelParallel):
            for p in module.parameters():
                if getattr(p, "model_parallel", False):
                    yield module, p


def model_parallel(layer, degree, mode):
    """The plan's model degree, as far as this run's world size allows (one process keeps whole layers)."""
    degree = math.gcd(degree, Runtime.world) if Runtime.distributed else 1
    return layer if degree == 1 else ModelParallel(layer, degree, mode)


def split_model_parallel(model):
    for attr, (degree, mode) in MODEL_PARALLEL.items():
        setattr(model, attr, model_parallel(getattr(model, attr), degree, mode))
`;
