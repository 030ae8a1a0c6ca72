"""Embeddings: turning token ids into vectors by looking up rows.

A language model reads integers. A tokenizer maps each piece of text to an id between 0 and
V - 1, where V is the size of the vocabulary, and the model's first layer swaps every id for a
vector of E learnable numbers. That layer is an embedding: a weight matrix of shape (V, E), one
row per token, and its whole forward pass is "take row i":

    weight = [[0.1, 0.2, 0.3],     # row 0: the vector of token 0
              [1.0, 1.1, 1.2],     # row 1
              [2.0, 2.1, 2.2]]     # row 2          (V = 3, E = 3)
    ids    = [[2, 0, 0, 1]]        # a batch of 1 sentence of 4 tokens, shape (1, 4)
    out    = [[[2.0, 2.1, 2.2],    # shape (1, 4, 3): every id became its row
               [0.1, 0.2, 0.3],
               [0.1, 0.2, 0.3],
               [1.0, 1.1, 1.2]]]

The ids may come in any shape, and a vector of E numbers is added at the end: (B, T) becomes
(B, T, E), a single id () becomes (E,). Indexing does exactly this: `weight[ids]`.

The lookup is also a matrix product in disguise. Write id i as a one-hot row, a vector of V
zeros with a 1 at position i. Multiplying it by the weight keeps row i and nothing else, so

    one_hot(ids, V) @ weight  ==  weight[ids]

and that is why an embedding can be trained like any other layer: the gradient of the weight
is one_hot.T @ grad_output, which adds each output's gradient into the row it came from. A
token used three times in a batch collects three contributions, and rows of tokens that did
not appear get zero. The indexing form is what real layers use: it skips the huge, almost
all-zero one-hot matrix (V is 128,256 for Llama 3).

An id outside [0, V) has no row. Be careful with negative ids: `weight[-1]` quietly returns the
last row, so a check must come first, and its error should say which id and which V did not fit.

nn.Embedding starts its weight from a standard normal distribution, N(0, 1), drawn from torch's
global random generator.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def embedding(ids: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Look up one row of `weight` per id.

    Args:
        ids: integer tensor (int64 or int32) of any shape, 0-dim and empty shapes included, on
            weight's device.
        weight: float tensor of shape (V, E).

    Returns:
        A tensor of shape (*ids.shape, E), weight's dtype and device, where out[..., :] is
        weight[id] for the id at that position (for a 0-dim ids it may be a view of that row). Values and the gradient with respect to weight
        match F.embedding(ids, weight): an id that appears k times gets the sum of its k
        output gradients, and rows of absent ids get 0. Inputs are not modified.

    Raises:
        IndexError: if any id is negative or >= V.

    Loops: not allowed.
    Dtype: same as weight (float16 and bfloat16 included).
    Forbidden: F.embedding, torch.embedding, nn.Embedding, F.embedding_bag, nn.EmbeddingBag.
    """
    # BEGIN SOLUTION
    # hint: Check the ids first, with whole-tensor comparisons: (ids < 0) | (ids >= V) marks
    #   the bad ones, and .any() says whether there is one. Plain indexing would accept -1.
    #   Make the error say which id and which V, since that is what the user will read.
    # hint: Indexing the rows with an integer tensor, weight[ids], returns a tensor of shape
    #   (*ids.shape, E), and autograd knows how to send gradients back into those rows.
    vocab = weight.shape[0]
    bad = (ids < 0) | (ids >= vocab)
    if bad.any():
        raise IndexError(f"token id {ids[bad][0].item()} is out of range for a vocabulary of {vocab} "
                         f"(valid ids are 0 to {vocab - 1})")
    return weight[ids]
    # END SOLUTION


def one_hot_embedding(ids: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """The same lookup as `embedding`, computed as one_hot(ids, V) @ weight.

    Args:
        ids: integer tensor (int64 or int32) of any shape, 0-dim and empty shapes included, on
            weight's device, with every id in [0, V). Ids outside that range are not checked
            here.
        weight: float tensor of shape (V, E).

    Returns:
        A new tensor of shape (*ids.shape, E), weight's dtype and device, equal to
        embedding(ids, weight) in values and in the gradient with respect to weight. V comes
        from weight, not from the largest id. Inputs are not modified.

    Build the one-hot tensor (F.one_hot, or a comparison with torch.arange) and multiply; the
    point is to see the lookup as a matrix product, so indexing is refused here.

    Loops: not allowed.
    Dtype: same as weight (float16 and bfloat16 included).
    Forbidden: Tensor.__getitem__, torch.index_select, Tensor.index_select, torch.gather,
        Tensor.gather, torch.take, Tensor.take, torch.take_along_dim, F.embedding,
        torch.embedding, nn.Embedding, F.embedding_bag, nn.EmbeddingBag.
    """
    # BEGIN SOLUTION
    # hint: F.one_hot(ids, num_classes=V) turns (*ids.shape) into (*ids.shape, V). Pass V
    #   (from weight.shape[0]) explicitly: without it, V is guessed from the largest id.
    # hint: F.one_hot wants int64 ids and returns int64: convert the ids with .long() first and
    #   the result to weight.dtype before `@ weight`.
    one_hot = F.one_hot(ids.long(), num_classes=weight.shape[0]).to(weight.dtype)
    return one_hot @ weight  # (*ids.shape, V) @ (V, E) -> (*ids.shape, E)
    # END SOLUTION


class Embedding(nn.Module):
    """An embedding layer, a drop-in for nn.Embedding (without its optional extras).

    Embedding(num_embeddings, embedding_dim) has one parameter, `weight`, an nn.Parameter of
    shape (num_embeddings, embedding_dim), so its state_dict key is "weight", as for
    nn.Embedding. The attributes num_embeddings and embedding_dim hold the two sizes. Every
    element of weight starts as an independent draw from the standard normal N(0, 1), taken from
    torch's global random generator (torch.manual_seed(...) before construction replays it).

    forward(ids): ids of any shape (int64 or int32), each in [0, num_embeddings) -> shape
    (*ids.shape, embedding_dim), the weight's dtype and device: the rows of weight, as
    `embedding(ids, self.weight)` returns them. After loading the same state_dict, outputs and
    the weight's gradient match nn.Embedding's.

    Loops: not allowed.
    Forbidden: F.embedding, torch.embedding, nn.Embedding, F.embedding_bag, nn.EmbeddingBag.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int):
        # BEGIN SOLUTION
        # hint: Call super().__init__() first, keep both sizes as attributes, and wrap the
        #   weight in nn.Parameter so that parameters() and the state_dict see it.
        # hint: torch.randn(num_embeddings, embedding_dim) draws the N(0, 1) start from the
        #   global generator; forward can call your embedding function.
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))
        # END SOLUTION

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return embedding(ids, self.weight)
        # END SOLUTION
