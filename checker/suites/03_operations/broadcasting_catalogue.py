"""Mistake catalogue for 03_operations/broadcasting: plausible wrong answers the suite must
reject, and correct alternatives it must accept. Each entry replaces one name of a fresh copy of
the reference; `kata validate` grades every entry."""
import itertools

import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


def padded(shape_a, shape_b):
    """Both shapes left-padded with 1s to the same length (the step the mistakes below get right)."""
    length = max(len(shape_a), len(shape_b))
    return (1,) * (length - len(shape_a)) + tuple(shape_a), (1,) * (length - len(shape_b)) + tuple(shape_b)


# --- broadcast_shape --------------------------------------------------------------------------

@catalogue.mistake("broadcast_shape lines the shapes up from the left", hint="match the last sizes first")
def broadcast_shape(shape_a, shape_b):
    result = []
    for a, b in itertools.zip_longest(shape_a, shape_b, fillvalue=1):
        if a != b and 1 not in (a, b):
            raise ValueError("shapes do not broadcast")
        result.append(b if a == 1 else a)
    return tuple(result)


@catalogue.mistake("broadcast_shape takes the larger size of each pair: 1 against 0 gives 1",
                   hint="a size 1 gives way to the other size, even when that is 0")
def broadcast_shape(shape_a, shape_b):
    a, b = padded(shape_a, shape_b)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise ValueError("shapes do not broadcast")
    return tuple(max(x, y) for x, y in zip(a, b))


@catalogue.mistake("broadcast_shape never checks compatibility: 3 against 4 gives 4",
                   hint="raise ValueError when two sizes differ and neither is 1")
def broadcast_shape(shape_a, shape_b):
    a, b = padded(shape_a, shape_b)
    return tuple(y if x == 1 else x for x, y in zip(a, b))


@catalogue.mistake("broadcast_shape zips the reversed shapes and stops at the shorter one",
                   hint="the extra leading sizes of the longer shape belong to the result")
def broadcast_shape(shape_a, shape_b):
    result = []
    for a, b in zip(reversed(shape_a), reversed(shape_b)):
        if a != b and 1 not in (a, b):
            raise ValueError("shapes do not broadcast")
        result.append(b if a == 1 else a)
    return tuple(reversed(result))


@catalogue.mistake("broadcast_shape builds the result from the right and forgets to reverse it back",
                   hint="reverse the collected sizes before returning them")
def broadcast_shape(shape_a, shape_b):
    return tuple(reversed(ref.broadcast_shape(shape_a, shape_b)))


@catalogue.mistake("broadcast_shape checks with assert: AssertionError instead of ValueError",
                   hint="raise ValueError(...) explicitly")
def broadcast_shape(shape_a, shape_b):
    a, b = padded(shape_a, shape_b)
    assert all(x == y or 1 in (x, y) for x, y in zip(a, b)), "shapes do not broadcast"
    return tuple(y if x == 1 else x for x, y in zip(a, b))


@catalogue.mistake("broadcast_shape returns a list", hint="return tuple(result)")
def broadcast_shape(shape_a, shape_b):
    return list(ref.broadcast_shape(shape_a, shape_b))


@catalogue.mistake("broadcast_shape lets torch broadcast two empty tensors and reads the shape",
                   expect="forbidden-op", hint="work the shape out from the rules; no tensor is needed")
def broadcast_shape(shape_a, shape_b):
    try:
        return tuple((torch.empty(shape_a) + torch.empty(shape_b)).shape)
    except RuntimeError as error:
        raise ValueError(str(error)) from None


@catalogue.mistake("broadcast_shape calls torch.broadcast_shapes", expect="forbidden-op",
                   hint="work the shape out from the rules")
def broadcast_shape(shape_a, shape_b):
    try:
        return tuple(torch.broadcast_shapes(shape_a, shape_b))
    except RuntimeError as error:
        raise ValueError(str(error)) from None


# --- add_to_rows and add_to_columns -----------------------------------------------------------

@catalogue.mistake("add_to_rows turns the row into a column first", hint="(m, n) + (n,) already lines up")
def add_to_rows(matrix, row):
    return matrix + row[:, None]


@catalogue.mistake("add_to_rows adds in place with +=, changing the input matrix",
                   hint="return matrix + row, a new tensor")
def add_to_rows(matrix, row):
    matrix += row
    return matrix


@catalogue.mistake("add_to_rows adds the row to one matrix row at a time", expect="not-vectorised",
                   hint="broadcasting adds it to every row at once")
def add_to_rows(matrix, row):
    return torch.stack([r + row for r in matrix]) if matrix.shape[0] else ref.add_to_rows(matrix, row)


@catalogue.mistake("add_to_columns adds the 1-D column directly: it lines up with the columns, not the rows",
                   hint="make it an (m, 1) column first: col[:, None]")
def add_to_columns(matrix, col):
    return matrix + col


@catalogue.mistake("add_to_columns makes the vector a row, col[None, :], which changes nothing",
                   hint="the new size-1 axis goes last: col[:, None]")
def add_to_columns(matrix, col):
    return matrix + col[None, :]


@catalogue.mistake("add_to_columns adds col to one column at a time", expect="not-vectorised",
                   hint="an (m, 1) column broadcasts over every column at once")
def add_to_columns(matrix, col):
    if matrix.shape[1] == 0:
        return ref.add_to_columns(matrix, col)
    return torch.stack([matrix[:, j] + col for j in range(matrix.shape[1])], dim=1)


# --- pairwise_differences ---------------------------------------------------------------------

@catalogue.mistake("pairwise_differences subtracts x - y directly: elementwise, not every pair",
                   hint="x as a column, y as a row")
def pairwise_differences(x, y):
    return x - y


@catalogue.mistake("pairwise_differences makes y the column and x the row: the table comes out transposed",
                   hint="out[i, j] = x[i] - y[j]: x runs down the rows")
def pairwise_differences(x, y):
    return x[None, :] - y[:, None]


@catalogue.mistake("pairwise_differences subtracts the wrong way round, y[j] - x[i]", hint="x[:, None] - y[None, :]")
def pairwise_differences(x, y):
    return y[None, :] - x[:, None]


@catalogue.mistake("pairwise_differences takes absolute values", hint="keep the sign: x[i] - y[j]")
def pairwise_differences(x, y):
    return (x[:, None] - y[None, :]).abs()


@catalogue.mistake("pairwise_differences fills the table one row at a time", expect="not-vectorised",
                   hint="broadcasting builds every row at once")
def pairwise_differences(x, y):
    return torch.stack([xi - y for xi in x]) if x.shape[0] else ref.pairwise_differences(x, y)


# --- pairwise_distances -----------------------------------------------------------------------

@catalogue.mistake("pairwise_distances forgets the square root: squared distances",
                   hint="take .sqrt() after summing the squares")
def pairwise_distances(X, Y):
    return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=-1)


@catalogue.mistake("pairwise_distances subtracts X - Y row by row: one distance per row, not every pair",
                   hint="X[:, None, :] - Y[None, :, :] pairs every point with every point")
def pairwise_distances(X, Y):
    return ((X - Y) ** 2).sum(dim=-1).sqrt()


@catalogue.mistake("pairwise_distances sums the absolute differences (the L1 distance)",
                   hint="square, sum, then take the square root")
def pairwise_distances(X, Y):
    return (X[:, None, :] - Y[None, :, :]).abs().sum(dim=-1)


@catalogue.mistake("pairwise_distances averages the squares instead of summing them",
                   hint="sum over the d features, do not average")
def pairwise_distances(X, Y):
    return ((X[:, None, :] - Y[None, :, :]) ** 2).mean(dim=-1).sqrt()


@catalogue.mistake("pairwise_distances calls torch.cdist", expect="forbidden-op", hint="build the table by broadcasting")
def pairwise_distances(X, Y):
    return torch.cdist(X, Y)


@catalogue.mistake("pairwise_distances loops over the points of X", expect="not-vectorised",
                   hint="give X a middle axis instead: (m, 1, d)")
def pairwise_distances(X, Y):
    if X.shape[0] == 0:
        return ref.pairwise_distances(X, Y)
    return torch.stack([((x - Y) ** 2).sum(dim=-1).sqrt() for x in X])


# --- normalize_columns ------------------------------------------------------------------------

@catalogue.mistake("normalize_columns uses the unbiased variance (divides by m - 1)",
                   hint="divide by m: unbiased=False, or mean of the squared deviations")
def normalize_columns(X, eps=1e-5):
    mean = X.mean(dim=0, keepdim=True)
    return (X - mean) / torch.sqrt(X.var(dim=0, keepdim=True) + eps)


@catalogue.mistake("normalize_columns normalises the rows (dim=1) instead of the columns",
                   hint="column statistics reduce over the rows: dim=0")
def normalize_columns(X, eps=1e-5):
    mean = X.mean(dim=1, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=1, keepdim=True)
    return (X - mean) / torch.sqrt(var + eps)


@catalogue.mistake("normalize_columns takes row statistics without keepdim: they broadcast along the wrong axis",
                   hint="reduce over dim=0 for columns, or keep the reduced axis with keepdim=True")
def normalize_columns(X, eps=1e-5):
    mean = X.mean(dim=1)
    var = ((X - mean) ** 2).mean(dim=1)
    return (X - mean) / torch.sqrt(var + eps)


@catalogue.mistake("normalize_columns adds eps to the standard deviation, not to the variance",
                   hint="sqrt(var + eps): eps goes inside the square root")
def normalize_columns(X, eps=1e-5):
    mean = X.mean(dim=0, keepdim=True)
    std = ((X - mean) ** 2).mean(dim=0, keepdim=True).sqrt()
    return (X - mean) / (std + eps)


@catalogue.mistake("normalize_columns leaves eps out: a constant column divides 0 by 0",
                   hint="add eps to the variance before the square root")
def normalize_columns(X, eps=1e-5):
    mean = X.mean(dim=0, keepdim=True)
    return (X - mean) / ((X - mean) ** 2).mean(dim=0, keepdim=True).sqrt()


@catalogue.mistake("normalize_columns subtracts the mean from X in place", hint="X - mean makes a new tensor")
def normalize_columns(X, eps=1e-5):
    X -= X.mean(dim=0, keepdim=True)
    return X / torch.sqrt((X ** 2).mean(dim=0, keepdim=True) + eps)


@catalogue.mistake("normalize_columns standardises one column at a time", expect="not-vectorised",
                   hint="keepdim=True statistics broadcast over every column at once")
def normalize_columns(X, eps=1e-5):
    if X.shape[1] == 0:
        return ref.normalize_columns(X, eps)
    columns = [(c - c.mean()) / torch.sqrt(((c - c.mean()) ** 2).mean() + eps) for c in X.unbind(dim=1)]
    return torch.stack(columns, dim=1)


@catalogue.mistake("normalize_columns lets F.batch_norm do it", expect="forbidden-op",
                   hint="compute the column mean and variance yourself")
def normalize_columns(X, eps=1e-5):
    return torch.nn.functional.batch_norm(X, None, None, training=True, eps=eps)


# --- correct alternatives ---------------------------------------------------------------------

@catalogue.alternative("broadcast_shape walking negative indices from the end")
def broadcast_shape(shape_a, shape_b):
    out = []
    for i in range(1, max(len(shape_a), len(shape_b)) + 1):
        a = shape_a[-i] if i <= len(shape_a) else 1
        b = shape_b[-i] if i <= len(shape_b) else 1
        if a != b and a != 1 and b != 1:
            raise ValueError(f"{a} against {b}")
        out.append(b if a == 1 else a)
    return tuple(reversed(out))


@catalogue.alternative("add_to_columns through the transpose")
def add_to_columns(matrix, col):
    return (matrix.T + col).T


@catalogue.alternative("pairwise_differences with unsqueeze")
def pairwise_differences(x, y):
    return x.unsqueeze(1) - y.unsqueeze(0)


@catalogue.alternative("pairwise_distances with torch.linalg.vector_norm over the feature axis")
def pairwise_distances(X, Y):
    return torch.linalg.vector_norm(X.unsqueeze(1) - Y.unsqueeze(0), dim=-1)


@catalogue.alternative("normalize_columns with var(unbiased=False) and rsqrt")
def normalize_columns(X, eps=1e-5):
    centred = X - X.mean(0)
    return centred * torch.rsqrt(X.var(0, unbiased=False) + eps)


# --- more mistakes (review) -------------------------------------------------------------------

@catalogue.mistake("broadcast_shape lets NumPy do it", expect="forbidden-op", hint="work the shape out from the rules")
def broadcast_shape(shape_a, shape_b):
    import numpy as np
    return tuple(int(s) for s in np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))


@catalogue.mistake("broadcast_shape broadcasts two strided views and reads their .shape", expect="forbidden-op",
                   hint="work the shape out from the rules; no tensor is needed")
def broadcast_shape(shape_a, shape_b):
    try:
        a = torch.empty_strided(shape_a, [0] * len(shape_a))
        b = torch.empty_strided(shape_b, [0] * len(shape_b))
        return tuple((a + b).shape)
    except RuntimeError as error:
        raise ValueError(str(error)) from None


@catalogue.mistake("add_to_rows casts the row to float32 first: half-precision matrices come back float32",
                   hint="keep the inputs' dtype: matrix + row")
def add_to_rows(matrix, row):
    return matrix + row.float()


@catalogue.mistake("add_to_columns transposes, adds, and forgets to transpose back",
                   hint="(matrix.T + col).T, or matrix + col[:, None]")
def add_to_columns(matrix, col):
    return matrix.T + col


@catalogue.mistake("pairwise_distances sums the squares over the points of Y (dim=1) instead of the features",
                   hint="the features are the last axis of the (m, n, d) differences: sum over dim=-1")
def pairwise_distances(X, Y):
    diff = X[:, None, :] - Y[None, :, :]
    return (diff ** 2).sum(dim=1).sqrt()


@catalogue.mistake("normalize_columns takes one mean and one variance over the whole matrix",
                   hint="each column has its own statistics: reduce over dim=0 only")
def normalize_columns(X, eps=1e-5):
    centred = X - X.mean()
    return centred / torch.sqrt((centred ** 2).mean() + eps)


@catalogue.mistake("normalize_columns divides by the standard deviation without subtracting the mean",
                   hint="centre first: X - mean, then divide")
def normalize_columns(X, eps=1e-5):
    var = X.var(dim=0, unbiased=False, keepdim=True)
    return X / torch.sqrt(var + eps)


# --- more alternatives (review) ---------------------------------------------------------------

@catalogue.alternative("broadcast_shape with an index loop over the longer length")
def broadcast_shape(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    out = [0] * n
    for i in range(1, n + 1):
        a = shape_a[-i] if i <= len(shape_a) else 1
        b = shape_b[-i] if i <= len(shape_b) else 1
        if a != 1 and b != 1 and a != b:
            raise ValueError(f"size {a} does not broadcast against size {b}")
        out[-i] = b if a == 1 else a
    return tuple(out)


@catalogue.alternative("add_to_rows with row.expand_as(matrix)")
def add_to_rows(matrix, row):
    return torch.add(matrix, row.expand_as(matrix))


@catalogue.alternative("add_to_rows with row.repeat(m, 1)")
def add_to_rows(matrix, row):
    return matrix + row.repeat(matrix.shape[0], 1)


@catalogue.alternative("add_to_columns with col.view(-1, 1)")
def add_to_columns(matrix, col):
    return col.view(-1, 1) + matrix


@catalogue.alternative("pairwise_differences with view(-1, 1) and torch.sub")
def pairwise_differences(x, y):
    return torch.sub(x.view(-1, 1), y)


@catalogue.alternative("pairwise_distances from the expansion |x|^2 + |y|^2 - 2 x.y, clamped at 0")
def pairwise_distances(X, Y):
    squared = (X * X).sum(-1)[:, None] + (Y * Y).sum(-1)[None, :] - 2 * (X[:, None, :] * Y[None, :, :]).sum(-1)
    return squared.clamp(min=0).sqrt()


@catalogue.alternative("pairwise_distances with torch.linalg.norm over the last axis")
def pairwise_distances(X, Y):
    return torch.linalg.norm(X.unsqueeze(1) - Y.unsqueeze(0), dim=-1)


@catalogue.alternative("normalize_columns with var_mean(correction=0) and statistics without keepdim")
def normalize_columns(X, eps=1e-5):
    var, mean = torch.var_mean(X, dim=0, correction=0)
    return (X - mean) / (var + eps).sqrt()


@catalogue.alternative("normalize_columns in float64, cast back")
def normalize_columns(X, eps=1e-5):
    X64 = X.double()
    centred = X64 - X64.mean(0)
    return (centred / (centred.pow(2).mean(0) + eps).sqrt()).to(X.dtype)
