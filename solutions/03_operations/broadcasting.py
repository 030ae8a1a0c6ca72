"""Broadcasting: how tensors of different shapes meet in one elementwise operation.

An elementwise operation (+, -, *, /, comparisons, ...) wants two tensors of the same
shape. Broadcasting lets PyTorch accept many pairs that are not, by stretching size-1 axes
without copying any data. The rules, applied to the two shapes:

  1. Line the shapes up from the right (the last axes meet first).
  2. Where one shape is shorter, pretend it has extra leading axes of size 1.
  3. In every position the two sizes must be equal, or one of them must be 1. A size-1 axis
     is repeated to match the other (so 1 meets 0 gives 0), and the result takes the
     larger view. Anything else (3 against 4, say) is an error.

    (3, 4) with (4,)       -> (3, 4)     the vector is reused for every row
    (3, 4) with (3, 1)     -> (3, 4)     the column is reused for every column
    (8, 1, 6, 1) with (7, 1, 5) -> (8, 7, 6, 5)
    (3, 4) with (3,)       -> error      4 against 3 in the last position

Two consequences catch everybody once.

Adding a row vector to a matrix just works, but adding a column vector does not: a 1-D
tensor of length m is lined up with the *last* axis, the columns. It has to become a real
column first, shape (m, 1), by giving it a trailing axis of size 1. Worse, when the matrix
is square the wrong version raises no error at all and silently adds along the rows.

The opposite surprise is the (3, 1) + (1, 4) "trap": two small tensors produce a (3, 4)
table, with no error. That is a bug when you expected three numbers, and a tool when you
want every pair: a column of m values against a row of n values gives the m x n table of
all their combinations. Points with d features each work the same way, with the feature
axis kept last: (m, 1, d) against (1, n, d) pairs every point with every point.

Statistics per column are the everyday case: a reduction over dim 0 with keepdim=True
leaves shape (1, n), which broadcasts back against the (m, n) data, one value per column,
no loop needed.
"""
import torch


def broadcast_shape(shape_a: tuple, shape_b: tuple) -> tuple:
    """The shape that broadcasting two tensors of these shapes produces, from the rules.

    Args:
        shape_a, shape_b: tuples of non-negative ints (lengths may differ, () included).

    Returns:
        A tuple of ints: the result shape. Positions are matched from the right, a missing
        leading size counts as 1, equal sizes stay, and a 1 gives way to the other size (so
        1 and 0 give 0). Raises ValueError if some position holds two different sizes and
        neither is 1.

    Loops: allowed (a loop over the sizes of a shape is plain Python: no tensors here).
    Forbidden: torch.broadcast_shapes, torch.functional.broadcast_shapes,
        torch.broadcast_tensors, torch.functional.broadcast_tensors, torch.broadcast_to,
        Tensor.expand, Tensor.expand_as, torch.empty, torch.zeros, torch.ones, torch.full,
        torch.rand, torch.randn, torch.tensor, Tensor.shape.__get__, Tensor.size (reading a
        tensor's shape), numpy.broadcast_shapes (work it out from the rules: the answer needs
        no tensor at all)
    """
    # BEGIN SOLUTION
    # hint: Pad the shorter shape on the left with 1s until both have the same length, then
    #   walk the positions pairwise.
    # hint: For each pair (a, b): if a == b or b == 1 keep a; elif a == 1 keep b; else raise
    #   ValueError. Return the kept sizes as a tuple.
    length = max(len(shape_a), len(shape_b))
    padded_a = (1,) * (length - len(shape_a)) + tuple(shape_a)
    padded_b = (1,) * (length - len(shape_b)) + tuple(shape_b)
    result = []
    for a, b in zip(padded_a, padded_b):
        if a == b or b == 1:
            result.append(a)
        elif a == 1:
            result.append(b)
        else:
            raise ValueError(f"shapes {tuple(shape_a)} and {tuple(shape_b)} do not broadcast: {a} against {b}")
    return tuple(result)
    # END SOLUTION


def add_to_rows(matrix: torch.Tensor, row: torch.Tensor) -> torch.Tensor:
    """Add the same row vector to every row of a matrix.

    Args:
        matrix: shape (m, n); row: shape (n,); floating point, same dtype and device.

    Returns:
        Shape (m, n): out[i, j] = matrix[i, j] + row[j]. matrix's dtype and device;
        gradients flow back to both inputs; the inputs are not modified.

    Loops: not allowed.
    Dtype: same as matrix (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Line the shapes up from the right: (m, n) and (n,) already agree in the last
    #   position.
    # hint: matrix + row. Nothing else is needed.
    return matrix + row
    # END SOLUTION


def add_to_columns(matrix: torch.Tensor, col: torch.Tensor) -> torch.Tensor:
    """Add the same column vector to every column of a matrix.

    Args:
        matrix: shape (m, n); col: shape (m,), one number per row; floating point, same
            dtype and device.

    Returns:
        Shape (m, n): out[i, j] = matrix[i, j] + col[i]. matrix's dtype and device;
        gradients flow back to both inputs; the inputs are not modified. This must hold for
        square matrices too, where the wrong broadcast raises no error.

    Loops: not allowed.
    Dtype: same as matrix (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: A 1-D tensor is lined up with the last axis, the columns. Which shape would make
    #   col line up with the rows instead?
    # hint: Make col an (m, 1) column with col[:, None] (or col.unsqueeze(1)), then add.
    return matrix + col[:, None]
    # END SOLUTION


def pairwise_differences(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The table of every difference x[i] - y[j], built by broadcasting.

    Args:
        x: shape (m,); y: shape (n,); floating point, same dtype and device. m and n may
            differ, and either may be 0.

    Returns:
        Shape (m, n): out[i, j] = x[i] - y[j]. x's dtype and device; gradients flow back to
        both inputs; the inputs are not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: This is the (3, 1) + (1, 4) effect on purpose: give x and y shapes that broadcast
    #   to (m, n).
    # hint: x as a column and y as a row: x[:, None] - y[None, :].
    return x[:, None] - y[None, :]
    # END SOLUTION


def pairwise_distances(X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """The Euclidean distance between every point of X and every point of Y.

    Args:
        X: shape (m, d), m points; Y: shape (n, d), n points; floating point, same dtype and
            device. d >= 1; m or n may be 0. No point of X coincides with a point of Y (the
            square root has no gradient at 0).

    Returns:
        Shape (m, n): out[i, j] = sqrt(sum over k of (X[i, k] - Y[j, k]) ** 2). X's dtype
        and device; gradients flow back to both inputs; the inputs are not modified.

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: torch.cdist, torch.functional.cdist, F.pairwise_distance, F.pdist, torch.dist
        (the distance built-ins: here you build the table)
    """
    # BEGIN SOLUTION
    # hint: Give X a middle axis and Y a leading one, (m, 1, d) and (1, n, d): their
    #   difference holds the difference vector of every pair.
    # hint: diff = X[:, None, :] - Y[None, :, :]; then (diff ** 2).sum(dim=-1).sqrt().
    diff = X[:, None, :] - Y[None, :, :]          # (m, n, d): every pair's difference vector
    return (diff ** 2).sum(dim=-1).sqrt()
    # END SOLUTION


def normalize_columns(X: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Standardise every column of X: subtract its mean, divide by its standard deviation.

    Args:
        X: shape (m, n) with m >= 1: m samples (rows) of n features (columns); floating
            point.
        eps: a small number added to the variance before the square root.

    Returns:
        Shape (m, n): out[i, j] = (X[i, j] - mean_j) / sqrt(var_j + eps), where mean_j and
        var_j are column j's mean and biased variance (divided by m, not m - 1). A constant
        column becomes zeros. X's dtype and device; gradients flow back to X; X is not
        modified.

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: F.batch_norm, torch.batch_norm, nn.BatchNorm1d, F.instance_norm, F.layer_norm,
        F.group_norm (the normalisation layers do this for you)
    """
    # BEGIN SOLUTION
    # hint: Column statistics come from reducing over the rows, dim=0. keepdim=True leaves
    #   them with shape (1, n), ready to broadcast against X.
    # hint: mean = X.mean(dim=0, keepdim=True); var = ((X - mean) ** 2).mean(dim=0,
    #   keepdim=True); return (X - mean) / torch.sqrt(var + eps).
    mean = X.mean(dim=0, keepdim=True)                  # (1, n): one mean per column
    centred = X - mean
    var = (centred ** 2).mean(dim=0, keepdim=True)      # biased: divided by m
    return centred / torch.sqrt(var + eps)
    # END SOLUTION
