/**
 * The torch program's training loop. The loss is the mean over the global batch whatever the rank count: each
 * rank's per-sample loss sum is divided by the global batch size and multiplied by the world size, which
 * DistributedDataParallel's gradient averaging then cancels; model-parallel shards, which DDP does not see,
 * are summed over their replicas and divided by the world size here. Guarded lines (`#? key`) are what the
 * loop does only for a plan with model-parallel layers, a model with dropout, or one optimizer kind.
 */
export const TRAIN_PRELUDE = String.raw`
def one_hot_ids(y, out):
    # Class ids under categorical cross-entropy are one-hot over the output's classes, as mgpuc's runtime does.
    if y.shape == out.shape:
        return y
    return torch.nn.functional.one_hot(y.long().reshape(out.shape[:-1]), out.shape[-1]).to(out.dtype)


def per_sample_loss(out, y):
    if isinstance(out, ShardedLogits):  #? ShardedLogits
        return out.per_sample_loss(y)  #? ShardedLogits
    if LOSS in ("sparse_categorical_crossentropy", "categorical_crossentropy"):
        # As Keras with from_logits=False: the outputs are probabilities, clipped away from 0 and 1 (class ids:
        # clipped, renormalised and clipped again, as tfjs-layers does).
        if LOSS == "sparse_categorical_crossentropy":
            p = out.clamp(1e-7, 1.0 - 1e-7)
            p = (p / p.sum(-1, keepdim=True)).clamp(1e-7, 1.0 - 1e-7)
            ids = y.long().reshape(out.shape[:-1] + (1,))
            return -torch.log(p.gather(-1, ids)).reshape(len(out), -1).mean(-1)
        p = (out / out.sum(-1, keepdim=True)).clamp(1e-7, 1.0 - 1e-7)
        return -(one_hot_ids(y, out) * torch.log(p)).sum(-1).reshape(len(out), -1).mean(-1)
    if LOSS == "binary_crossentropy":
        p = out.clamp(1e-7, 1.0 - 1e-7)
        y = y.reshape(p.shape)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).reshape(len(p), -1).mean(-1)
    diff = out - y.reshape(out.shape)
    return (diff.abs() if LOSS == "mae" else diff * diff).reshape(len(out), -1).mean(-1)


def correct_count(out, y):
    if isinstance(out, ShardedLogits):  #? ShardedLogits
        return out.correct(y)  #? ShardedLogits
    if LOSS == "sparse_categorical_crossentropy":
        hits = out.argmax(-1) == y.long().reshape(out.shape[:-1])
        return hits.float().reshape(len(out), -1).mean(-1).sum()
    if LOSS == "categorical_crossentropy":
        hits = out.argmax(-1) == one_hot_ids(y, out).argmax(-1)
        return hits.float().reshape(len(out), -1).mean(-1).sum()
    return ((out > 0.5).float() == y.reshape(out.shape)).float().reshape(len(out), -1).mean(-1).sum()


def make_optimizer(params):
    o = OPTIMIZER
    if o["kind"] == "adam":  #? optimizer:adam
        return torch.optim.Adam(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])  #? optimizer:adam
    if o["kind"] == "sgd":  #? optimizer:sgd
        return torch.optim.SGD(params, lr=o["lr"], momentum=o["momentum"], nesterov=o["nesterov"])  #? optimizer:sgd
    if o["kind"] == "rmsprop":  #? optimizer:rmsprop
        return torch.optim.RMSprop(params, lr=o["lr"], alpha=o["rho"], eps=o["epsilon"])  #? optimizer:rmsprop
    initial = o["initial_accumulator"]  #? optimizer:adagrad
    return torch.optim.Adagrad(params, lr=o["lr"], initial_accumulator_value=initial, eps=1e-7)  #? optimizer:adagrad


def make_sharded_optimizer(params):
    """ZeRO-1, as the plan says: each rank keeps and updates 1/N of the optimizer state, then broadcasts its
    updated parameters (torch's ZeroRedundancyOptimizer, with the same optimizer and hyper-parameters)."""
    plain = make_optimizer(params)
    if not Runtime.distributed or Runtime.world == 1:
        return plain
    return ZeroRedundancyOptimizer(params, optimizer_class=type(plain), **plain.defaults)


def first_output(out):
    return out[0] if isinstance(out, tuple) else out


def mix32(x):
    """mgpuc's 32-bit finaliser (runtime/data/counter-random.ts), so the program draws what mgpuc draws."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    return x ^ (x >> 16)


def counter_keys(seed, stream):
    """The two keys of mgpuc's CounterRandom(seed, stream): FNV-1a of "seed\\0stream" under two bases."""
    keys = []
    for basis in (0x811C9DC5, 0x050C5D1F):
        h = basis
        for byte in ("%d\0%s" % (seed, stream)).encode("utf-8"):
            h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
        keys.append(mix32(h))
    return keys[0], keys[1] ^ 0x9E3779B9


def epoch_order(count, seed, epoch):
    """The order mgpuc visits the samples in during an epoch (0-based): Fisher-Yates on counter-based draws,
    the same permutation on every rank and as mgpuc train with this seed, so a run started from an mgpuc
    checkpoint reads the same batches as mgpuc would."""
    k0, k1 = counter_keys(seed, "epoch/%d" % epoch)
    order = list(range(count))
    for i in range(count - 1, 0, -1):
        a = mix32((i + k0) & 0xFFFFFFFF)
        draw = mix32(((a ^ k1) + 0x9E3779B9) & 0xFFFFFFFF)
        j = math.floor((draw / 4294967296) * (i + 1))
        order[i], order[j] = order[j], order[i]
    return torch.tensor(order)


def run_batches(model, x, y, order, batch, train, optimizer=None, on_step=None):
    """One pass over order in global batches; returns the global (loss sum, correct, samples)."""
    totals = torch.zeros(3, dtype=torch.float64)
    for start in range(0, len(order), batch):
        if train and on_step is not None and not on_step(None):
            break
        rows = order[start : start + batch]
        pieces = torch.tensor_split(rows, Runtime.world)
        mine = pieces[Runtime.rank]
        Batch.offset, Batch.size = sum(len(p) for p in pieces[: Runtime.rank]), len(rows)  #? Batch
        xb = torch.from_numpy(x[mine.numpy()]).to(Runtime.device)
        yb = torch.from_numpy(y[mine.numpy()]).to(Runtime.device)
        with torch.set_grad_enabled(train):
            out = first_output(model(xb))
            losses = per_sample_loss(out, yb)
        if train:
            optimizer.zero_grad(set_to_none=True)
            (losses.sum() * (Runtime.world / len(rows))).backward()
            reduce_model_parallel_grads(model)  #? reduce_model_parallel_grads
            optimizer.step()
            Batch.step += 1  #? Batch
            on_step(len(rows))
        correct = correct_count(out.detach(), yb).item()
        totals += torch.tensor([losses.detach().sum().item(), correct, len(mine)], dtype=torch.float64)
    if Runtime.distributed:
        totals = totals.to(Runtime.device)  # NCCL reduces only GPU tensors
        dist.all_reduce(totals)
    return totals.cpu()


def reduce_model_parallel_grads(model):
    for module, p in sharded_parameters(model):
        if p.grad is not None:
            dist.all_reduce(p.grad, group=module.replicas)
            p.grad.div_(Runtime.world)
    for p in model.parameters():
        if getattr(p, "reduce_by_hand", False) and p.grad is not None:
            dist.all_reduce(p.grad)
            p.grad.div_(Runtime.world)


def weights_l2(model):
    """Every trainable weight once: each shard summed over its group, replicated weights as they are."""
    total = 0.0
    sharded = set()
    for module, p in sharded_parameters(model):  #? sharded_parameters
        square = p.detach().double().pow(2).sum()  #? sharded_parameters
        if p.shard_dim is None and module.index != 0:  #? sharded_parameters
            square = square * 0  # a weight every shard holds, learned by shard 0: counted once  #? sharded_parameters
        dist.all_reduce(square, group=module.group)  #? sharded_parameters
        total += square.item()  #? sharded_parameters
        sharded.add(id(p))  #? sharded_parameters
    for p in model.parameters():
        if p.requires_grad and id(p) not in sharded:
            total += p.detach().double().pow(2).sum().item()
    return math.sqrt(total)


def whole_tensor(module, p):
    """A model-parallel shard gathered over its group along the axis it was cut; any other weight as it is."""
    if not getattr(p, "model_parallel", False) or p.shard_dim is None:
        return p.detach()
    full, _ = gather_dim(p.detach(), p.shard_dim, module.group)
    return full


def write_weights(model, path):
    """MGPUC_WEIGHTS_OUT=FILE: rank 0 writes every weight, whole, in torch's layout, by its Keras name (as in
    an mgpuc checkpoint): JSON {name: {"shape": [...], "values": [...]}}. Every rank gathers its shards."""
    out, written = {}, set()
    for module, t, name, _ in keras_weights(model):
        w = whole_tensor(module, t).double().cpu()  #? whole_tensor
        w = t.detach().double().cpu()  #? !whole_tensor
        out[name] = {"shape": list(w.shape), "values": w.reshape(-1).tolist()}
        written.add(id(t))
    if any(id(p) not in written for p in model.parameters()):
        fail("MGPUC_WEIGHTS_OUT: some weights have no Keras name, so %s would be incomplete" % path)
    if Runtime.rank == 0:
        with open(path, "w") as f:
            json.dump(out, f)


class Clock:
    """samples_per_s: samples trained over the wall time of the steps after the first five."""

    def __init__(self, total_steps):
        self.total_steps, self.steps, self.samples, self.start, self.elapsed = total_steps, 0, 0, None, 0.0

    def __call__(self, samples):
        if samples is None:
            return self.steps < self.total_steps
        self.steps += 1
        now = time.perf_counter()
        if self.steps == 5:
            self.start = now
        elif self.steps > 5:
            self.samples += samples
            self.elapsed = now - self.start
        return True

    def rate(self):
        return "%d" % round(self.samples / self.elapsed) if self.elapsed > 0 else "n/a"


def train(args):
    if DATA is None or LOSS is None:
        fail("the .model file's train section needs data: and loss: for this program to train")
    setup_distributed()
    torch.manual_seed(args.seed)
    Batch.seed = args.seed  #? Batch
    model = Model()
    if args.init_from is not None:
        load_keras_weights(model, args.init_from)
    split_model_parallel(model)  #? split_model_parallel
    model = model.to(Runtime.device)
    x, y, x_val, y_val = load_training_data(args.data_dir, args.seed)
    net = wrap_data_parallel(model)
    optimizer = make_optimizer([p for p in net.parameters() if p.requires_grad])  #? !make_sharded_optimizer
    optimizer = make_sharded_optimizer([p for p in net.parameters() if p.requires_grad])  #? make_sharded_optimizer
    steps_per_epoch = max(1, math.ceil(len(x) / BATCH_SIZE))
    total_steps = args.steps if args.steps is not None else args.epochs * steps_per_epoch
    epochs = math.ceil(total_steps / steps_per_epoch)
    clock = Clock(total_steps)
    metrics = {"loss": "n/a", "accuracy": "n/a", "val_accuracy": "n/a"}
    for epoch in range(epochs):
        order = epoch_order(len(x), args.seed, epoch)
        net.train()
        loss_sum, correct, seen = run_batches(net, x, y, order, BATCH_SIZE, True, optimizer, clock).tolist()
        metrics["loss"] = "%.4f" % (loss_sum / max(seen, 1))
        line = "Epoch %d/%d - loss: %s" % (epoch + 1, epochs, metrics["loss"])
        if ACCURACY:
            metrics["accuracy"] = "%.4f" % (correct / max(seen, 1))
            line += " - accuracy: " + metrics["accuracy"]
        if len(x_val) > 0:
            net.eval()
            every = torch.arange(len(x_val))
            val_loss, val_correct, val_seen = run_batches(net, x_val, y_val, every, BATCH_SIZE, False)
            line += " - val_loss: %.4f" % (val_loss / val_seen)
            if ACCURACY:
                metrics["val_accuracy"] = "%.4f" % (val_correct / val_seen)
                line += " - val_accuracy: " + metrics["val_accuracy"]
        if Runtime.rank == 0:
            print(line, flush=True)
    l2 = with_full_weights(net, model, weights_l2)
    weights_out = os.environ.get("MGPUC_WEIGHTS_OUT")
    if weights_out:
        with_full_weights(net, model, lambda whole: write_weights(whole, weights_out))
    if Runtime.rank == 0:
        print(
            "final: loss=%s accuracy=%s val_accuracy=%s samples_per_s=%s weights_l2=%.9g"
            % (metrics["loss"], metrics["accuracy"], metrics["val_accuracy"], clock.rate(), l2),
            flush=True,
        )
    if Runtime.distributed:
        dist.destroy_process_group()
        # torch 1.13 can deadlock here at interpreter exit: the DDP reducer, freed last, frees the gloo process
        # group, whose destructor joins a worker thread that waits for the GIL the exiting thread holds (a rank
        # hung so). Everything is written and printed by now: leave without running destructors.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--steps", type=int, default=None, help="stop after this many optimizer steps")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--data-dir", default=HERE, help="folder that data paths are relative to")
    parser.add_argument("--init-from", help="start from an mgpuc checkpoint (model.json + weights.bin)")
    return parser.parse_args()


if __name__ == "__main__":
    train(parse_args())
`;
