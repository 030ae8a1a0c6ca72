"""A Transformer decoder block, assembled from your own parts, and its size.

You have built the two halves of a Transformer block: the feed-forward network
(10_llm_blocks/ffn) and multi-head self-attention (10_llm_blocks/multi_head). A decoder block,
the unit that GPT-2, Llama and their relatives stack dozens of times, wires them together:

    h   = x + attention(attention_norm(x))     # causal: token i reads tokens 0..i only
    out = h + ffn(ffn_norm(h))

Read it as a stream with two side roads. The input x flows straight through; each sublayer
reads a normalised copy of the stream and adds its update back (a residual connection). In
the backward pass the "+ x" paths hand gradients down unchanged, which is what lets a stack of
48 blocks train at all.

Where the norm sits matters. The original Transformer of 2017 normalised after the addition,
norm(x + sublayer(x)), the post-norm layout. GPT-2 moved the norm in front of each sublayer,
inside the side road, so the main stream is never rescaled; this pre-norm layout trains more
stably and is what nearly every LLM since uses. GPT-2 uses LayerNorm (Llama swaps in RMSNorm).

Sizes. GPT-2 small has E = 768 features, 12 heads of 64, an FFN hidden width of 3072 (4E)
and 12 blocks. One block holds

    attention: 4 projections of E * E weights + E biases     2,362,368
    ffn:       E * 3072 + 3072  and  3072 * E + E            4,722,432
    two LayerNorms, a weight and a bias of E each                3,072
    total                                                    7,087,872

Twelve blocks make 85,054,464; the token embedding (50257 * 768), the position embedding
(1024 * 768) and a final LayerNorm bring GPT-2 small to 124,439,808, the "124M" model.

You do not need a machine that can hold a model to count it. Tensors on the `meta` device
have a shape and a dtype but no storage, so building a module there costs nothing:

    with torch.device("meta"):                  # new tensors land on meta by default
        block = DecoderBlock(768, 12, 3072)
    block.attention.q_proj.weight               # tensor(..., device='meta', size=(768, 768))

Building on the CPU and moving the module with .to("meta") afterwards is no good: the CPU
copy has to fit in memory first.

This kata reuses your own designs: paste the method bodies of your FeedForwardNetwork and
MultiHeadAttention into the slots below, unchanged (they are graded again here, by the same
checks as before), then write the block around them.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class FeedForwardNetwork(nn.Module):
    """Your FeedForwardNetwork from 10_llm_blocks/ffn: paste in both method bodies, unchanged.

    The same spec as there: FeedForwardNetwork(embedding_dim, ffn_dim, dropout=0.0) holds
    layer1 = nn.Linear(embedding_dim, ffn_dim), activation = nn.GELU() (exact, erf-based) and
    layer2 = nn.Linear(ffn_dim, embedding_dim), with dropout (probability `dropout`) on the
    output of layer2 in training mode only. state_dict keys: layer1.weight, layer1.bias,
    layer2.weight, layer2.bias. forward(x): (..., embedding_dim) -> the same shape, dtype and
    device.

    Loops: not allowed.
    Forbidden: nothing.
    """

    def __init__(self, embedding_dim: int, ffn_dim: int, dropout: float = 0.0):
        # BEGIN SOLUTION
        # hint: This is the class you wrote in 10_llm_blocks/ffn: copy it from
        #   exercises/10_llm_blocks/ffn.py (both methods) once that kata passes.
        # hint: Keep the submodule names layer1, activation and layer2: inside the block they
        #   become the state_dict keys ffn.layer1.weight, ffn.layer1.bias, ...
        super().__init__()
        self.layer1 = nn.Linear(embedding_dim, ffn_dim)
        self.activation = nn.GELU()
        self.layer2 = nn.Linear(ffn_dim, embedding_dim)
        self.dropout = nn.Dropout(dropout)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return self.dropout(self.layer2(self.activation(self.layer1(x))))
        # END SOLUTION


class MultiHeadAttention(nn.Module):
    """Your MultiHeadAttention from 10_llm_blocks/multi_head: paste in both method bodies.

    The same spec as there: MultiHeadAttention(embedding_dim, num_heads, bias=True) holds four
    nn.Linear(embedding_dim, embedding_dim, bias=bias) projections named q_proj, k_proj,
    v_proj and out_proj, and the ints num_heads and head_dim = embedding_dim // num_heads; it
    raises ValueError when embedding_dim % num_heads != 0. forward(x, causal=False) maps
    (B, T, embedding_dim) to the same shape: heads are contiguous slices of head_dim features,
    each attends with scale 1 / sqrt(head_dim) (token i to tokens 0..i when causal), the heads
    are merged back in order and out_proj is applied.

    Loops: not allowed.
    Forbidden: nn.MultiheadAttention, F.multi_head_attention_forward
    """

    def __init__(self, embedding_dim: int, num_heads: int, bias: bool = True):
        # BEGIN SOLUTION
        # hint: This is the class you wrote in 10_llm_blocks/multi_head: copy it from
        #   exercises/10_llm_blocks/multi_head.py (both methods) once that kata passes.
        # hint: Keep the names q_proj, k_proj, v_proj and out_proj, and keep forward's `causal`
        #   argument: the block calls it with causal=True.
        super().__init__()
        if embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim {embedding_dim} is not a multiple of num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = embedding_dim // num_heads
        self.q_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        self.out_proj = nn.Linear(embedding_dim, embedding_dim, bias=bias)
        # END SOLUTION

    def forward(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
        # BEGIN SOLUTION
        batch, tokens, width = x.shape
        q, k, v = (p(x).view(batch, tokens, self.num_heads, self.head_dim).transpose(1, 2)
                   for p in (self.q_proj, self.k_proj, self.v_proj))
        heads = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        return self.out_proj(heads.transpose(1, 2).reshape(batch, tokens, width))
        # END SOLUTION


class DecoderBlock(nn.Module):
    """A pre-norm Transformer decoder block (GPT-2's layout, without dropout).

    DecoderBlock(embedding_dim, num_heads, ffn_dim) has exactly four submodules:
        attention_norm = nn.LayerNorm(embedding_dim)
        attention      = MultiHeadAttention(embedding_dim, num_heads)    (your class above)
        ffn_norm       = nn.LayerNorm(embedding_dim)
        ffn            = FeedForwardNetwork(embedding_dim, ffn_dim)      (your class above)
    so its state_dict keys are attention_norm.weight, attention_norm.bias,
    attention.q_proj.weight, ..., ffn_norm.weight, ffn_norm.bias, ffn.layer1.weight, ...
    A num_heads that does not divide embedding_dim raises ValueError (from the attention).

    forward(x): x has shape (B, T, embedding_dim). Returns the same shape, dtype and device:
        h   = x + attention(attention_norm(x), causal=True)
        out = h + ffn(ffn_norm(h))
    After loading the same state_dict, outputs and gradients (for x and every parameter)
    match the reference. x is not modified.

    Loops: not allowed.
    Forbidden: nn.MultiheadAttention, F.multi_head_attention_forward, nn.TransformerEncoderLayer,
        nn.TransformerDecoderLayer
    """

    def __init__(self, embedding_dim: int, num_heads: int, ffn_dim: int):
        # BEGIN SOLUTION
        # hint: Four attributes, two of them your own classes: attention_norm and ffn_norm are
        #   nn.LayerNorm(embedding_dim); attention is MultiHeadAttention(embedding_dim,
        #   num_heads); ffn is FeedForwardNetwork(embedding_dim, ffn_dim).
        # hint: Pre-norm means each sublayer reads a normalised copy and adds its result to the
        #   unnormalised stream: x + attention(attention_norm(x), causal=True).
        # hint: The second residual starts from h, the stream after attention, not from x:
        #   h + ffn(ffn_norm(h)). Write `h = x + ...`, never `x += ...`, which changes the
        #   caller's tensor.
        super().__init__()
        self.attention_norm = nn.LayerNorm(embedding_dim)
        self.attention = MultiHeadAttention(embedding_dim, num_heads)
        self.ffn_norm = nn.LayerNorm(embedding_dim)
        self.ffn = FeedForwardNetwork(embedding_dim, ffn_dim)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        h = x + self.attention(self.attention_norm(x), causal=True)
        return h + self.ffn(self.ffn_norm(h))
        # END SOLUTION


def count_block_parameters(embedding_dim: int, num_heads: int, ffn_dim: int) -> int:
    """How many parameters DecoderBlock(embedding_dim, num_heads, ffn_dim) holds.

    Returns:
        A Python int: the total number of elements of all the block's parameters (every
        parameter of a fresh block is trainable). For GPT-2 small's sizes (768, 12, 3072) it
        is 7,087,872.

    Count a block built by your DecoderBlock on the meta device, so no parameter memory is
    ever allocated: it must work for sizes whose float32 parameters would need petabytes
    (embedding_dim = ffn_dim = 2**24, say), which no machine could build on the CPU.

    Loops: allowed (a sum over the parameters).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: `with torch.device("meta"):` makes every tensor created inside it a meta tensor,
    #   so DecoderBlock(...) built there allocates nothing.
    # hint: Then sum p.numel() over block.parameters(): numel() only multiplies the shape out,
    #   which works on meta tensors. Return that Python int.
    with torch.device("meta"):
        block = DecoderBlock(embedding_dim, num_heads, ffn_dim)
    return sum(p.numel() for p in block.parameters())
    # END SOLUTION
