"""Mistake catalogue for 08_layers/embedding: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name (or one method) of a fresh copy
of the reference; `kata validate` grades every entry."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


def _check_range(ids, vocab):
    if ((ids < 0) | (ids >= vocab)).any():
        raise IndexError(f"an id is outside [0, {vocab})")


# ---------------------------------------------------------------- embedding: mistakes

@catalogue.mistake("no range check: weight[-1] quietly returns the last row",
                   hint="refuse ids < 0 and ids >= V yourself before indexing")
def embedding(ids, weight):
    return weight[ids]


@catalogue.mistake("checks only the upper end (ids >= V), so -1 slips through", hint="negative ids are out of range too")
def embedding(ids, weight):
    if (ids >= weight.shape[0]).any():
        raise IndexError("id out of range")
    return weight[ids]


@catalogue.mistake("raises ValueError for a bad id", hint="an index outside the table is an IndexError")
def embedding(ids, weight):
    if ((ids < 0) | (ids >= weight.shape[0])).any():
        raise ValueError("id out of range")
    return weight[ids]


@catalogue.mistake("picks columns, weight[:, ids], instead of rows", hint="one row per token: weight[ids]")
def embedding(ids, weight):
    _check_range(ids, weight.shape[0])
    return weight[:, ids]


@catalogue.mistake("index_select with the ids as they are: it only takes 0-d or 1-d indices",
                   hint="flatten the ids for index_select and reshape the rows back, or index with weight[ids]")
def embedding(ids, weight):
    _check_range(ids, weight.shape[0])
    return weight.index_select(0, ids)


@catalogue.mistake("reads weight.data, so no gradient reaches the weight", hint="index weight itself, not weight.data")
def embedding(ids, weight):
    _check_range(ids, weight.shape[0])
    return weight.data[ids]


@catalogue.mistake("a Python loop over the ids", expect="not-vectorised", hint="weight[ids] looks every id up at once")
def embedding(ids, weight):
    _check_range(ids, weight.shape[0])
    rows = [weight[i] for i in ids.reshape(-1).tolist()]
    out = torch.stack(rows) if rows else weight[:0]   # torch.stack refuses an empty list
    return out.reshape(*ids.shape, weight.shape[1])


@catalogue.mistake("returns float32 rows for half-precision weights", hint="keep the weight's dtype")
def embedding(ids, weight):
    return ref.embedding(ids, weight).float()


@catalogue.mistake("calls F.embedding", expect="forbidden-op", hint="index the rows yourself")
def embedding(ids, weight):
    _check_range(ids, weight.shape[0])
    return F.embedding(ids, weight)


# ---------------------------------------------------------------- embedding: alternatives

@catalogue.alternative("min/max range check and index_select on the flattened ids")
def embedding(ids, weight):
    vocab, dim = weight.shape
    if ids.numel() and (ids.min() < 0 or ids.max() >= vocab):
        raise IndexError(f"ids must lie in [0, {vocab})")
    return weight.index_select(0, ids.reshape(-1)).reshape(*ids.shape, dim)


# ---------------------------------------------------------------- one_hot_embedding: mistakes

@catalogue.mistake("F.one_hot(ids) without num_classes guesses V from the largest id",
                   hint="pass num_classes=weight.shape[0]")
def one_hot_embedding(ids, weight):
    return F.one_hot(ids.long()).to(weight.dtype) @ weight


@catalogue.mistake("multiplies the int64 one-hot by the float weight", hint="convert the one-hot to weight.dtype first")
def one_hot_embedding(ids, weight):
    return F.one_hot(ids.long(), weight.shape[0]) @ weight


@catalogue.mistake("converts the one-hot to float32 whatever the weight's dtype", hint="use .to(weight.dtype)")
def one_hot_embedding(ids, weight):
    return F.one_hot(ids.long(), weight.shape[0]).float() @ weight


@catalogue.mistake("hands int32 ids to F.one_hot, which only takes int64", hint="call ids.long() first")
def one_hot_embedding(ids, weight):
    return F.one_hot(ids, weight.shape[0]).to(weight.dtype) @ weight


@catalogue.mistake("compares ids with arange without unsqueeze, so the two broadcast against each other",
                   hint="ids.unsqueeze(-1) == torch.arange(V) gives the (*ids.shape, V) one-hot")
def one_hot_embedding(ids, weight):
    one_hot = ids == torch.arange(weight.shape[0], device=ids.device)
    return one_hot.to(weight.dtype) @ weight


@catalogue.mistake("weight.T @ one_hot.T, which puts E first", hint="one_hot (*, V) @ weight (V, E) gives (*, E)")
def one_hot_embedding(ids, weight):
    return weight.T @ F.one_hot(ids.long(), weight.shape[0]).to(weight.dtype).T


@catalogue.mistake("falls back to indexing", expect="forbidden-op", hint="multiply a one-hot tensor by the weight")
def one_hot_embedding(ids, weight):
    return weight[ids]


# ---------------------------------------------------------------- one_hot_embedding: alternatives

@catalogue.alternative("the one-hot from a comparison with torch.arange")
def one_hot_embedding(ids, weight):
    classes = torch.arange(weight.shape[0], device=ids.device)
    return (ids.unsqueeze(-1) == classes).to(weight.dtype) @ weight


@catalogue.alternative("a zeros matrix with ones written in, then torch.einsum")
def one_hot_embedding(ids, weight):
    flat = ids.reshape(-1).long()
    one_hot = weight.new_zeros(flat.numel(), weight.shape[0])
    one_hot[torch.arange(flat.numel(), device=ids.device), flat] = 1
    return torch.einsum("nv,ve->ne", one_hot, weight).reshape(*ids.shape, weight.shape[1])


# ---------------------------------------------------------------- Embedding: mistakes

class Embedding:
    @catalogue.mistake("starts from torch.rand (uniform on [0, 1))", hint="nn.Embedding starts from torch.randn")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = nn.Parameter(torch.rand(num_embeddings, embedding_dim))

    @catalogue.mistake("scales the start by 0.02, as GPT-2 does", hint="nn.Embedding uses N(0, 1) with no scaling")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = nn.Parameter(0.02 * torch.randn(num_embeddings, embedding_dim))

    @catalogue.mistake("starts from U(-1, 1)", hint="draw from the standard normal with torch.randn")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim).uniform_(-1, 1))

    @catalogue.mistake("weight of shape (embedding_dim, num_embeddings)", hint="one row per token: (V, E)")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = nn.Parameter(torch.randn(embedding_dim, num_embeddings))

    @catalogue.mistake("a plain tensor with requires_grad instead of nn.Parameter", hint="wrap it in nn.Parameter")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = torch.randn(num_embeddings, embedding_dim, requires_grad=True)

    @catalogue.mistake("draws from a generator of its own with a fixed seed", hint="use torch's global generator")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        generator = torch.Generator().manual_seed(1234)
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim, generator=generator))

    @catalogue.mistake("forgets super().__init__()", hint="call super().__init__() before assigning the parameter")
    def __init__(self, num_embeddings, embedding_dim):
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))

    @catalogue.mistake("keeps an nn.Embedding inside", expect="forbidden-op", hint="own the weight yourself")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = nn.Embedding(num_embeddings, embedding_dim).weight


@catalogue.mistake("the table is called `table`, so the state_dict key is not `weight`",
                   hint="attribute names are state_dict keys: call it weight")
class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.table = nn.Parameter(torch.randn(num_embeddings, embedding_dim))

    def forward(self, ids):
        return self.table[ids]


# ---------------------------------------------------------------- Embedding: alternatives

class Embedding:  # noqa: F811 - a namespace for one method replacement
    @catalogue.alternative("an empty parameter filled by nn.init.normal_")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim))
        nn.init.normal_(self.weight)


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.mistake("checks the range with ids.min() and ids.max(), which refuse an empty ids tensor",
                   hint="test the whole tensor, ((ids < 0) | (ids >= V)).any(), which is False when there are no ids")
def embedding(ids, weight):  # noqa: F811
    if ids.min() < 0 or ids.max() >= weight.shape[0]:
        raise IndexError("id out of range")
    return weight[ids]


@catalogue.mistake("index_select on the flattened ids, then view(*ids.shape, -1), which fails for no ids",
                   hint="-1 cannot be inferred from 0 elements: reshape to (*ids.shape, weight.shape[1])")
def embedding(ids, weight):  # noqa: F811
    _check_range(ids, weight.shape[0])
    return weight.index_select(0, ids.reshape(-1)).view(*ids.shape, -1)


@catalogue.alternative("weight[ids] cloned, with the range check written as a count of bad ids")
def embedding(ids, weight):  # noqa: F811
    V = weight.size(0)
    if int(torch.count_nonzero((ids < 0) | (ids >= V))):
        raise IndexError(f"an id is outside [0, {V})")
    return weight[ids.long()].clone()


@catalogue.alternative("one_hot_embedding with a float64 one-hot and product, cast back")
def one_hot_embedding(ids, weight):  # noqa: F811
    one_hot = F.one_hot(ids.to(torch.int64), num_classes=weight.size(0)).double()
    return torch.matmul(one_hot, weight.double()).to(weight.dtype)


@catalogue.alternative("one_hot_embedding with the one-hot made by scatter_ into zeros and torch.tensordot")
def one_hot_embedding(ids, weight):  # noqa: F811
    one_hot = torch.zeros(*ids.shape, weight.shape[0], dtype=weight.dtype, device=weight.device)
    one_hot.scatter_(-1, ids.long().unsqueeze(-1), 1.0)
    return torch.tensordot(one_hot, weight, dims=1)


class Embedding:  # noqa: F811 - a namespace for method replacements
    @catalogue.alternative("a parameter from torch.normal(0, 1, size=...)")
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.weight = nn.Parameter(torch.normal(0.0, 1.0, size=(num_embeddings, embedding_dim)))

    @catalogue.mistake("forward builds a one-hot without num_classes, so its width follows the largest id",
                       hint="pass num_classes=self.num_embeddings, or look the rows up with "
                            "embedding(ids, self.weight)")
    def forward(self, ids):
        return F.one_hot(ids.long()).to(self.weight.dtype) @ self.weight
