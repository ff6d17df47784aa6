/**
 * Keras-equivalent layers for the torch program. Tensors stay channels-last (NHWC) between layers, as in Keras,
 * so flatten, dense, concat and batchnorm axes mean what they mean in the `.model` file; convolutions and pools
 * permute to NCHW and back, which is a view (channels-last strides, which conv2d runs natively), not a copy.
 * Initialisers are Keras's: glorot_uniform kernels with Keras's fans, zero biases, uniform(-0.05, 0.05) embeddings.
 */
export const LAYERS_PRELUDE = String.raw`
ACTIVATIONS = {
    "linear": lambda t: t,
    "relu": F.relu,
    "relu6": F.relu6,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda t: F.softmax(t, dim=-1),
    "gelu": F.gelu,
}


def glorot_uniform(shape, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return nn.Parameter(torch.empty(shape).uniform_(-limit, limit))


class LinearCore(nn.Module):
    def __init__(self, fan_in, units, use_bias):
        super().__init__()
        self.weight = glorot_uniform((units, fan_in), fan_in, units)
        self.bias = nn.Parameter(torch.zeros(units)) if use_bias else None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class ConvCore(nn.Module):
    """NHWC in and out. pads = (left, right, top, bottom): Keras's 'same' puts the odd row and column last."""

    def __init__(self, shape, fans, use_bias, strides, dilation, pads, groups):
        super().__init__()
        self.weight = glorot_uniform(shape, *fans)
        self.bias = nn.Parameter(torch.zeros(shape[0])) if use_bias else None
        self.strides, self.dilation, self.pads, self.groups = strides, dilation, pads, groups

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        if any(self.pads):
            x = F.pad(x, self.pads)
        y = F.conv2d(x, self.weight, self.bias, self.strides, 0, self.dilation, self.groups)
        return y.permute(0, 2, 3, 1)


class Layer(nn.Module):
    """A weighted core and its activation, kept apart so a model-parallel layer activates whole outputs."""

    def __init__(self, core, activation):
        super().__init__()
        self.core, self.activation = core, activation

    def activate(self, y):
        return ACTIVATIONS[self.activation](y)

    def forward(self, x):
        return self.activate(self.core(x))


def dense(fan_in, units, use_bias, activation):
    return Layer(LinearCore(fan_in, units, use_bias), activation)


def conv2d(cin, filters, kernel, strides, dilation, pads, use_bias, activation):
    fans = (cin * kernel[0] * kernel[1], filters * kernel[0] * kernel[1])
    core = ConvCore((filters, cin) + kernel, fans, use_bias, strides, dilation, pads, 1)
    return Layer(core, activation)


def depthwise_conv2d(cin, multiplier, kernel, strides, dilation, pads, use_bias, activation):
    # Keras's depthwise kernel is [kh, kw, cin, multiplier], so its fans are not torch's grouped-conv fans.
    fans = (cin * kernel[0] * kernel[1], multiplier * kernel[0] * kernel[1])
    core = ConvCore((cin * multiplier, 1) + kernel, fans, use_bias, strides, dilation, pads, cin)
    return Layer(core, activation)


class Pool2d(nn.Module):
    """Max or average pooling on NHWC; 'same' padding never counts padded cells, as in Keras."""

    def __init__(self, kind, pool, strides, pads):
        super().__init__()
        self.kind, self.pool, self.strides, self.pads = kind, pool, strides, pads

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        if self.kind == "max":
            if any(self.pads):
                x = F.pad(x, self.pads, value=-math.inf)
            y = F.max_pool2d(x, self.pool, self.strides)
        elif any(self.pads):
            ones = F.pad(torch.ones_like(x[:1, :1]), self.pads)
            sums = F.avg_pool2d(F.pad(x, self.pads), self.pool, self.strides)
            y = sums / F.avg_pool2d(ones, self.pool, self.strides)
        else:
            y = F.avg_pool2d(x, self.pool, self.strides)
        return y.permute(0, 2, 3, 1)


class BatchNorm(nn.Module):
    """Keras BatchNormalization on the last axis, synchronized: statistics over the global batch, whichever
    rank holds each sample. Moving averages use Keras's momentum and the biased batch variance, as Keras
    does (torch's own BatchNorm would need momentum = 1 - Keras's, and uses the unbiased variance)."""

    def __init__(self, channels, momentum, epsilon):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("moving_mean", torch.zeros(channels))
        self.register_buffer("moving_variance", torch.ones(channels))
        self.momentum, self.epsilon = momentum, epsilon

    def forward(self, x):
        if self.training:
            axes = tuple(range(x.dim() - 1))
            count = all_reduce_sum(torch.tensor(float(x.numel() // x.shape[-1]), device=x.device))
            mean = all_reduce_sum(x.sum(axes)) / count
            variance = all_reduce_sum((x - mean).pow(2).sum(axes)) / count
            with torch.no_grad():
                self.moving_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)
                self.moving_variance.mul_(self.momentum).add_((1 - self.momentum) * variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        return (x - mean) * torch.rsqrt(variance + self.epsilon) * self.weight + self.bias


class Dropout(nn.Module):
    """Masks drawn for the whole global batch from (seed, step, layer), so a sample's mask is the same
    whichever rank holds it and however many ranks there are."""

    def __init__(self, rate, layer_index):
        super().__init__()
        self.rate, self.layer_index = rate, layer_index

    def forward(self, x, heads=None):
        """heads = (first, total): x holds heads first.. of total on axis 1 (a head-split attention's shard)."""
        if not self.training or self.rate == 0:
            return x
        g = torch.Generator().manual_seed((Batch.seed * 1000003 + Batch.step) * 1009 + self.layer_index)
        whole = tuple(x.shape[1:]) if heads is None else (heads[1],) + tuple(x.shape[2:])
        keep = torch.rand((Batch.size,) + whole, generator=g) >= self.rate
        if heads is not None:
            keep = keep[:, heads[0] : heads[0] + x.shape[1]]
        keep = keep[Batch.offset : Batch.offset + x.shape[0]].to(x.device)
        return x * keep / (1.0 - self.rate)


class MultiHeadAttention(nn.Module):
    """Keras MultiHeadAttention as self-attention on [batch, T, d], its weights in Keras's layout: query, key
    and value kernels [d, heads, dim] with biases [heads, dim], the output kernel [heads, value_dim, d] and
    bias [d], initialised as Keras does (glorot uniform over Keras's fans, zero biases). torch 1.13 has no
    scaled_dot_product_attention: the products are written out."""

    def __init__(self, width, heads, key_dim, value_dim, causal, dropout, use_bias, layer_index):
        super().__init__()
        self.key_dim, self.causal = key_dim, causal
        for part, dim in (("query", key_dim), ("key", key_dim), ("value", value_dim)):
            setattr(self, part + "_kernel", glorot_uniform((width, heads, dim), heads * width, dim * width))
            setattr(self, part + "_bias", nn.Parameter(torch.zeros(heads, dim)) if use_bias else None)
        self.output_kernel = glorot_uniform((heads, value_dim, width), value_dim * heads, width * heads)
        self.output_bias = nn.Parameter(torch.zeros(width)) if use_bias else None
        self.drop = Dropout(dropout, layer_index)
        self.head_block = None  # (first head, heads in all) once split by heads

    def project(self, x, part):
        y = torch.einsum("btd,dhk->bhtk", x, getattr(self, part + "_kernel"))
        bias = getattr(self, part + "_bias")
        return y if bias is None else y + bias[None, :, None, :]

    def forward(self, x, add_output_bias=True):
        q = self.project(x, "query") / math.sqrt(self.key_dim)
        scores = torch.einsum("bhtk,bhsk->bhts", q, self.project(x, "key"))
        if self.causal:
            t = x.shape[1]
            future = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
            scores = scores + future * -1e9
        probs = self.drop(torch.softmax(scores, dim=-1), self.head_block)
        heads = torch.einsum("bhts,bhsv->bhtv", probs, self.project(x, "value"))
        y = torch.einsum("bhtv,hvd->btd", heads, self.output_kernel)
        return y if self.output_bias is None or not add_output_bias else y + self.output_bias


class PositionEmbedding(nn.Module):
    """keras_hub PositionEmbedding: a learned [max_length, d] table (glorot uniform) whose first T rows it
    returns for every sample of a [batch, T, d] input; the model adds them itself."""

    def __init__(self, max_length, width):
        super().__init__()
        self.weight = glorot_uniform((max_length, width), max_length, width)

    def forward(self, x):
        return self.weight[: x.shape[1]].unsqueeze(0).expand(x.shape[0], -1, -1)


def embedding(input_dim, output_dim):
    layer = nn.Embedding(input_dim, output_dim)
    nn.init.uniform_(layer.weight, -0.05, 0.05)
    return layer


class Batch:
    """Where the current step's rows sit in the global batch, for the dropout masks."""

    seed = 0
    step = 0
    offset = 0
    size = 0
`;
