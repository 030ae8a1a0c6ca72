"""Mistake catalogue for 10_llm_blocks/multi_head.

Most entries replace one method of the reference (forward or __init__) and keep the other; the
entries that rename the projections replace the whole class. A class here keeps this module's
globals, so whole-class entries are self-contained.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()


def _split(module, t):
    """(B, T, E) -> (B, H, T, D), the reference's way."""
    batch, tokens, _ = t.shape
    return t.view(batch, tokens, module.num_heads, module.head_dim).transpose(1, 2)


def _merge(t):
    """(B, H, T, D) -> (B, T, H * D), the reference's way."""
    batch, heads, tokens, width = t.shape
    return t.transpose(1, 2).reshape(batch, tokens, heads * width)


def _qkv(module, x):
    return _split(module, module.q_proj(x)), _split(module, module.k_proj(x)), _split(module, module.v_proj(x))


class MultiHeadAttention:
    # ------------------------------------------------------------ forward: mistakes

    @catalogue.mistake("splits heads with one view to (B, H, T, D), mixing tokens and features",
                       hint="view to (B, T, H, D) first, then transpose(1, 2)")
    def forward(self, x, causal=False):
        batch, tokens, width = x.shape

        def split(t):
            return t.view(batch, self.num_heads, tokens, self.head_dim)

        heads = F.scaled_dot_product_attention(split(self.q_proj(x)), split(self.k_proj(x)),
                                               split(self.v_proj(x)), is_causal=causal)
        return self.out_proj(_merge(heads))

    @catalogue.mistake("merges heads with a reshape to (B, T, E) without transposing back",
                       hint="transpose(1, 2) back to (B, T, H, D) before the reshape")
    def forward(self, x, causal=False):
        heads = F.scaled_dot_product_attention(*_qkv(self, x), is_causal=causal)
        return self.out_proj(heads.reshape(x.shape))

    # F.scaled_dot_product_attention on the CPU happens to return a layout that survives this
    # .view; a hand-written attention (softmax(...) @ v) does not, which is where beginners meet it.
    @catalogue.mistake("merges with .view after the transpose, which fails on a non-contiguous tensor",
                       hint="use .reshape(B, T, E), or .contiguous().view(B, T, E)")
    def forward(self, x, causal=False):
        q, k, v = _qkv(self, x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if causal:
            scores = scores.masked_fill(~torch.ones(scores.shape[-2:], dtype=torch.bool).tril(), float("-inf"))
        heads = torch.softmax(scores, dim=-1) @ v
        return self.out_proj(heads.transpose(1, 2).view(x.shape))

    @catalogue.mistake("head h takes every H-th feature (view(B, T, D, H)) instead of a contiguous slice",
                       hint="head h owns features h*D to (h+1)*D - 1: view(B, T, H, D)")
    def forward(self, x, causal=False):
        batch, tokens, width = x.shape

        def split(t):
            return t.view(batch, tokens, self.head_dim, self.num_heads).permute(0, 3, 1, 2)

        heads = F.scaled_dot_product_attention(split(self.q_proj(x)), split(self.k_proj(x)),
                                               split(self.v_proj(x)), is_causal=causal)
        merged = heads.permute(0, 2, 3, 1).reshape(batch, tokens, width)
        return self.out_proj(merged)

    @catalogue.mistake("hand-written attention scaled by 1 / sqrt(E) instead of 1 / sqrt(head_dim)",
                       hint="each dot product runs over one head's D features, so scale by 1 / math.sqrt(head_dim)")
    def forward(self, x, causal=False):
        q, k, v = _qkv(self, x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(x.shape[-1])
        if causal:
            scores = scores.masked_fill(~torch.ones(scores.shape[-2:], dtype=torch.bool).tril(), float("-inf"))
        return self.out_proj(_merge(torch.softmax(scores, dim=-1) @ v))

    @catalogue.mistake("one attention over all E features: num_heads is ignored",
                       hint="split into num_heads heads of head_dim features and attend in each")
    def forward(self, x, causal=False):
        heads = F.scaled_dot_product_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), is_causal=causal)
        return self.out_proj(heads)

    @catalogue.mistake("forgets the output projection", hint="finish with self.out_proj(merged)")
    def forward(self, x, causal=False):
        return _merge(F.scaled_dot_product_attention(*_qkv(self, x), is_causal=causal))

    @catalogue.mistake("ignores causal: tokens still see the future", hint="pass is_causal=causal to the attention")
    def forward(self, x, causal=False):
        return self.out_proj(_merge(F.scaled_dot_product_attention(*_qkv(self, x))))

    @catalogue.mistake("always causal, even when causal=False", hint="mask only when causal is True")
    def forward(self, x, causal=False):
        return self.out_proj(_merge(F.scaled_dot_product_attention(*_qkv(self, x), is_causal=True)))

    @catalogue.mistake("keys and values both from k_proj (v_proj unused)", hint="values come from self.v_proj(x)")
    def forward(self, x, causal=False):
        q, k = _split(self, self.q_proj(x)), _split(self, self.k_proj(x))
        return self.out_proj(_merge(F.scaled_dot_product_attention(q, k, k, is_causal=causal)))

    @catalogue.mistake("a Python loop over the heads", expect="not-vectorised",
                       hint="the heads are a batch dim after the transpose: attend to all of them at once")
    def forward(self, x, causal=False):
        q, k, v = _qkv(self, x)
        heads = [F.scaled_dot_product_attention(q[:, h], k[:, h], v[:, h], is_causal=causal)
                 for h in range(self.num_heads)]
        return self.out_proj(torch.cat(heads, dim=-1))

    # ------------------------------------------------------------ __init__: mistakes

    @catalogue.mistake("bias argument ignored: the projections always have biases",
                       hint="pass bias=bias to every nn.Linear")
    def __init__(self, embedding_dim, num_heads, bias=True):
        super().__init__()
        if embedding_dim % num_heads:
            raise ValueError("indivisible")
        self.num_heads, self.head_dim = num_heads, embedding_dim // num_heads
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.out_proj = nn.Linear(embedding_dim, embedding_dim)

    @catalogue.mistake("no ValueError when embedding_dim is not a multiple of num_heads (head_dim rounds down)",
                       hint="raise ValueError when embedding_dim % num_heads != 0")
    def __init__(self, embedding_dim, num_heads, bias=True):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, embedding_dim // num_heads
        self.q_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.out_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)

    # ------------------------------------------------------------ forward: an alternative

    @catalogue.alternative("one fused matmul for q, k and v (weights concatenated), einsum attention")
    def forward(self, x, causal=False):
        projections = (self.q_proj, self.k_proj, self.v_proj)
        weight = torch.cat([p.weight for p in projections])
        bias = torch.cat([p.bias for p in projections]) if self.q_proj.bias is not None else None
        batch, tokens, width = x.shape
        qkv = F.linear(x, weight, bias).view(batch, tokens, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.unbind(dim=2)                                    # each (B, T, H, D)
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) * self.head_dim ** -0.5
        if causal:
            scores = scores + torch.full((tokens, tokens), float("-inf"), device=x.device).triu(1)
        heads = torch.einsum("bhqk,bkhd->bqhd", torch.softmax(scores, dim=-1), v)
        return self.out_proj(heads.reshape(batch, tokens, width))


# ---------------------------------------------------------------- whole-class mistakes

@catalogue.mistake("projections named query/key/value/output, so the state_dict keys differ",
                   hint="name them q_proj, k_proj, v_proj and out_proj")
class MultiHeadAttention(nn.Module):
    def __init__(self, embedding_dim, num_heads, bias=True):
        super().__init__()
        if embedding_dim % num_heads:
            raise ValueError("indivisible")
        self.num_heads, self.head_dim = num_heads, embedding_dim // num_heads
        self.query = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.key = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.value = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.output = nn.Linear(embedding_dim, embedding_dim, bias=bias)

    def forward(self, x, causal=False):
        q, k, v = (_split(self, p(x)) for p in (self.query, self.key, self.value))
        return self.output(_merge(F.scaled_dot_product_attention(q, k, v, is_causal=causal)))


@catalogue.mistake("wraps nn.MultiheadAttention", expect="forbidden-op",
                   hint="build the four projections and split the heads yourself")
class MultiHeadAttention(nn.Module):
    def __init__(self, embedding_dim, num_heads, bias=True):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, embedding_dim // num_heads
        self.inner = nn.MultiheadAttention(embedding_dim, num_heads, bias=bias, batch_first=True)

    def forward(self, x, causal=False):
        return self.inner(x, x, x, need_weights=False)[0]


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("unflatten/flatten and a hand-written softmax attention")
class MultiHeadAttention(nn.Module):
    def __init__(self, embedding_dim, num_heads, bias=True):
        super().__init__()
        if embedding_dim % num_heads != 0:
            raise ValueError("embedding_dim must be divisible by num_heads")
        self.num_heads = num_heads
        self.head_dim = embedding_dim // num_heads
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self, name, nn.Linear(embedding_dim, embedding_dim, bias=bias))

    def forward(self, x, causal=False):
        q, k, v = (p(x).unflatten(-1, (self.num_heads, self.head_dim)).transpose(1, 2)
                   for p in (self.q_proj, self.k_proj, self.v_proj))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if causal:
            tokens = x.shape[1]
            future = torch.ones(tokens, tokens, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        heads = torch.softmax(scores, dim=-1) @ v
        return self.out_proj(heads.transpose(1, 2).flatten(2))


# ---------------------------------------------------------------- more entries (review 2)

class MultiHeadAttention:  # noqa: F811 - a namespace for method replacements
    @catalogue.alternative("permute(0, 2, 1, 3) both ways, contiguous().view to merge, a tril mask")
    def forward(self, x, causal=False):
        B, T, E = x.size()
        q = self.q_proj(x).view(B, T, self.num_heads, self.head_dim).permute(0, 2, 1, 3)
        k = self.k_proj(x).view(B, T, self.num_heads, self.head_dim).permute(0, 2, 1, 3)
        v = self.v_proj(x).view(B, T, self.num_heads, self.head_dim).permute(0, 2, 1, 3)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        if causal:
            keep = torch.tril(torch.ones(T, T, device=x.device)).view(1, 1, T, T)
            att = att.masked_fill(keep == 0, float("-inf"))
        y = torch.softmax(att, dim=-1) @ v
        return self.out_proj(y.permute(0, 2, 1, 3).contiguous().view(B, T, E))

    @catalogue.mistake("causal mask from triu(diagonal=0), which also hides each token from itself",
                       hint="block only the future: triu(diagonal=1), or keep tril() with the diagonal")
    def forward(self, x, causal=False):
        q, k, v = _qkv(self, x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if causal:
            tokens = x.shape[1]
            scores = scores.masked_fill(torch.ones(tokens, tokens, dtype=torch.bool, device=x.device).triu(),
                                        float("-inf"))
        return self.out_proj(_merge(torch.softmax(scores, dim=-1) @ v))
