"""Mistake catalogue for 10_llm_blocks/block.

FeedForwardNetwork and MultiHeadAttention are pasted from earlier katas and graded by those
katas' checks, so their mistakes are those katas' catalogued mistakes, taken over as they are.
The DecoderBlock entries replace one method and keep the reference's other one; forward
deltas reach the submodules through self, so they run on the kata's own classes.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from checker import lint, manifest
from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


def _taught_mistakes(kata_id: str, name: str) -> list:
    taught = lint.load_catalogue(manifest.get(kata_id))
    return [mistake for mistake in taught.mistakes if mistake.owner == name]


catalogue.mistakes += _taught_mistakes("10_llm_blocks/ffn", "FeedForwardNetwork")
catalogue.mistakes += _taught_mistakes("10_llm_blocks/multi_head", "MultiHeadAttention")


# ---------------------------------------------------------------- DecoderBlock: mistakes

class DecoderBlock:
    @catalogue.mistake("post-norm: normalises after each residual addition (the 2017 layout)",
                       hint="pre-norm: normalise the sublayer's input only, x + attention(attention_norm(x))")
    def forward(self, x):
        h = self.attention_norm(x + self.attention(x, causal=True))
        return self.ffn_norm(h + self.ffn(h))

    @catalogue.mistake("attention without the causal mask: tokens read the future",
                       hint="a decoder block attends causally: self.attention(..., causal=True)")
    def forward(self, x):
        h = x + self.attention(self.attention_norm(x))
        return h + self.ffn(self.ffn_norm(h))

    @catalogue.mistake("no residual around the attention", hint="add the attention's output to x: h = x + ...")
    def forward(self, x):
        h = self.attention(self.attention_norm(x), causal=True)
        return h + self.ffn(self.ffn_norm(h))

    @catalogue.mistake("no residual around the FFN", hint="add the FFN's output to h: h + self.ffn(...)")
    def forward(self, x):
        h = x + self.attention(self.attention_norm(x), causal=True)
        return self.ffn(self.ffn_norm(h))

    @catalogue.mistake("the residual adds the normalised input instead of x itself",
                       hint="the stream x stays unnormalised: x + attention(attention_norm(x))")
    def forward(self, x):
        normed = self.attention_norm(x)
        h = normed + self.attention(normed, causal=True)
        normed = self.ffn_norm(h)
        return normed + self.ffn(normed)

    @catalogue.mistake("the FFN reads x instead of h, so it never sees the attention's output",
                       hint="the second half starts from h = x + attention(...): h + ffn(ffn_norm(h))")
    def forward(self, x):
        h = x + self.attention(self.attention_norm(x), causal=True)
        return h + self.ffn(self.ffn_norm(x))

    @catalogue.mistake("the norms swapped: ffn_norm before the attention, attention_norm before the FFN",
                       hint="attention_norm feeds the attention, ffn_norm feeds the FFN")
    def forward(self, x):
        h = x + self.attention(self.ffn_norm(x), causal=True)
        return h + self.ffn(self.attention_norm(h))

    @catalogue.mistake("adds the residual in place (x += ...), changing the caller's tensor",
                       hint="build a new tensor: h = x + ..., never x += ...")
    def forward(self, x):
        x += self.attention(self.attention_norm(x), causal=True)
        return x + self.ffn(self.ffn_norm(x))

    @catalogue.mistake("a Python loop over the sequences of the batch", expect="not-vectorised",
                       hint="every layer already handles the whole (B, T, E) batch: call it once")
    def forward(self, x):
        outputs = []
        for sequence in x.split(1):                 # (1, T, E) slices, one per sequence
            h = sequence + self.attention(self.attention_norm(sequence), causal=True)
            outputs.append(h + self.ffn(self.ffn_norm(h)))
        return torch.cat(outputs)

    @catalogue.mistake("nn.RMSNorm instead of nn.LayerNorm (no bias keys)",
                       hint="GPT-2's block normalises with nn.LayerNorm(embedding_dim)")
    def __init__(self, embedding_dim, num_heads, ffn_dim):
        super().__init__()
        self.attention_norm = nn.RMSNorm(embedding_dim)
        self.attention = ref.MultiHeadAttention(embedding_dim, num_heads)
        self.ffn_norm = nn.RMSNorm(embedding_dim)
        self.ffn = ref.FeedForwardNetwork(embedding_dim, ffn_dim)

    @catalogue.mistake("uses nn.MultiheadAttention for the attention", expect="forbidden-op",
                       hint="use your own MultiHeadAttention class from this file")
    def __init__(self, embedding_dim, num_heads, ffn_dim):
        super().__init__()
        self.attention_norm = nn.LayerNorm(embedding_dim)
        self.attention = nn.MultiheadAttention(embedding_dim, num_heads, batch_first=True)
        self.ffn_norm = nn.LayerNorm(embedding_dim)
        self.ffn = ref.FeedForwardNetwork(embedding_dim, ffn_dim)


@catalogue.mistake("one LayerNorm shared by both sublayers (self.norm), so the state_dict keys differ",
                   hint="each sublayer has its own LayerNorm: attention_norm and ffn_norm")
class DecoderBlock(nn.Module):
    def __init__(self, embedding_dim, num_heads, ffn_dim):
        super().__init__()
        self.norm = nn.LayerNorm(embedding_dim)
        self.attention = ref.MultiHeadAttention(embedding_dim, num_heads)
        self.ffn = ref.FeedForwardNetwork(embedding_dim, ffn_dim)

    def forward(self, x):
        h = x + self.attention(self.norm(x), causal=True)
        return h + self.ffn(self.norm(h))


@catalogue.mistake("GPT-2's own names (ln_1, attn, ln_2, mlp), so the state_dict keys differ",
                   hint="the spec names them attention_norm, attention, ffn_norm and ffn")
class DecoderBlock(nn.Module):
    def __init__(self, embedding_dim, num_heads, ffn_dim):
        super().__init__()
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = ref.MultiHeadAttention(embedding_dim, num_heads)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = ref.FeedForwardNetwork(embedding_dim, ffn_dim)

    def forward(self, x):
        h = x + self.attn(self.ln_1(x), causal=True)
        return h + self.mlp(self.ln_2(h))


# ---------------------------------------------------------------- count_block_parameters: mistakes

@catalogue.mistake("builds the block on the CPU: petabyte-sized parameters cannot be allocated",
                   hint="build it inside `with torch.device('meta'):` so nothing is allocated")
def count_block_parameters(embedding_dim, num_heads, ffn_dim):
    block = ref.DecoderBlock(embedding_dim, num_heads, ffn_dim)
    return sum(p.numel() for p in block.parameters())


@catalogue.mistake("builds on the CPU and then calls .to('meta'): the CPU copy must fit first",
                   hint="create it on meta directly: `with torch.device('meta'): block = DecoderBlock(...)`")
def count_block_parameters(embedding_dim, num_heads, ffn_dim):
    block = ref.DecoderBlock(embedding_dim, num_heads, ffn_dim).to("meta")
    return sum(p.numel() for p in block.parameters())


@catalogue.mistake("the 12 * E**2 rule of thumb instead of a count", hint="count every parameter: sum of p.numel()")
def count_block_parameters(embedding_dim, num_heads, ffn_dim):
    return 12 * embedding_dim ** 2


@catalogue.mistake("a closed form that forgets every bias and LayerNorm parameter",
                   hint="build the block on meta and count its parameters instead of deriving a formula")
def count_block_parameters(embedding_dim, num_heads, ffn_dim):
    return 4 * embedding_dim * embedding_dim + 2 * embedding_dim * ffn_dim


@catalogue.mistake("counts parameter tensors instead of their elements", hint="add up p.numel(), not 1 per tensor")
def count_block_parameters(embedding_dim, num_heads, ffn_dim):
    with torch.device("meta"):
        block = ref.DecoderBlock(embedding_dim, num_heads, ffn_dim)
    return len(list(block.parameters()))


@catalogue.mistake("assumes ffn_dim = 4 * embedding_dim instead of using the argument",
                   hint="build the FFN with the ffn_dim you were given")
def count_block_parameters(embedding_dim, num_heads, ffn_dim):
    with torch.device("meta"):
        block = ref.DecoderBlock(embedding_dim, num_heads, 4 * embedding_dim)
    return sum(p.numel() for p in block.parameters())


# ---------------------------------------------------------------- alternatives

class DecoderBlock:  # noqa: F811 - a second namespace for the same class
    @catalogue.alternative("forward through F.layer_norm on the norms' parameters, residuals with torch.add")
    def forward(self, x):
        width = (x.shape[-1],)
        normed = F.layer_norm(x, width, self.attention_norm.weight, self.attention_norm.bias)
        h = torch.add(self.attention(normed, causal=True), x)
        normed = F.layer_norm(h, width, self.ffn_norm.weight, self.ffn_norm.bias)
        return torch.add(self.ffn(normed), h)


@catalogue.alternative("torch.set_default_device('meta') with math.prod of every shape, restored after")
def count_block_parameters(embedding_dim, num_heads, ffn_dim):
    previous = torch.get_default_device()
    torch.set_default_device("meta")
    try:
        block = ref.DecoderBlock(embedding_dim, num_heads, ffn_dim)
    finally:
        torch.set_default_device(previous)
    return sum(math.prod(p.shape) for _, p in block.named_parameters())


@catalogue.alternative("meta build, counted from the state_dict (a fresh block has no buffers)")
def count_block_parameters(embedding_dim, num_heads, ffn_dim):
    with torch.device("meta"):
        block = ref.DecoderBlock(embedding_dim, num_heads, ffn_dim)
    return sum(t.numel() for t in block.state_dict().values())


# ---------------------------------------------------------------- more entries (review 2)

class DecoderBlock:  # noqa: F811 - a namespace for method replacements
    @catalogue.alternative("forward rebinding one name, x = x + ..., twice (new tensors, not in place)")
    def forward(self, x):
        x = x + self.attention(self.attention_norm(x), causal=True)
        x = x + self.ffn(self.ffn_norm(x))
        return x
