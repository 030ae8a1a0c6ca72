# 04_indexing/selection: Rows, columns, windows: views and copies
# Chapter 04_indexing: Indexing and selection
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/04_indexing/selection.py
#   stuck?             kata hint 04_indexing/selection NAME    (each call shows one more hint)
#   start over:        kata reset 04_indexing/selection   (your current file is backed up first)

"""Selecting rows, columns, elements and windows, and knowing what is a view.

Square brackets on a tensor work like they do on nested Python lists or NumPy arrays, one
position per dim, separated by commas. Take a 3 x 4 table:

    x = torch.tensor([[0, 1,  2,  3],
                      [4, 5,  6,  7],
                      [8, 9, 10, 11]])
    x[1]          # tensor([4, 5, 6, 7])     one row: the first dim is fixed, the rest stays
    x[:, 2]       # tensor([ 2,  6, 10])     one column: ":" keeps every row
    x[1, 3]       # tensor(7)                one element, still a (0-d) tensor; .item() gives 7
    x[-1]         # tensor([ 8,  9, 10, 11]) negative positions count from the end
    x[:, ::2]     # columns 0 and 2          start:stop:step, and stop is never included
    x[0:2, 1:3]   # tensor([[1, 2], [5, 6]]) a 2 x 2 window: rows 0-1, columns 1-2

A fixed position removes its dim (x[1] is 1-D), a slice keeps it (x[1:2] is 1 x 4).

Views and copies. Everything above, ints and slices, is *basic* indexing: the result is a view,
a new tensor header that reads the very same memory as x, just with other sizes, strides and a
starting offset. Nothing is copied, which is why it is fast, and writing into a view writes
into x:

    r = x[1]
    r[0] = 100        # x[1, 0] is now 100 as well

Indexing with a tensor of positions (x[torch.tensor([2, 0])]) or with a boolean mask is
*advanced* indexing. Its rows can come in any order or repeat, so no stride pattern can
describe them: PyTorch gathers them into fresh memory, a copy. Writing into a copy never
reaches x, and a chain like `x[rows][:, 0] = 5` changes only a temporary copy that is thrown
away at once. When you want data of your own that later edits of x cannot touch, ask for it
with .clone().

Every function here works on a 2-D tensor x of shape (N, M) and any dtype.
"""
import torch


def get_row(x: torch.Tensor, i: int) -> torch.Tensor:
    """Row i of x.

    Args:
        x: (N, M) tensor of any dtype.
        i: a row position with -N <= i < N; negative positions count from the end.

    Returns:
        (M,) tensor: a view of x (it shares x's memory, so writing into it changes x), with
        x's dtype and device. Differentiable with respect to x. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: get_row is not implemented yet; stuck? run `kata hint 04_indexing/selection get_row`")


def get_column(x: torch.Tensor, j: int) -> torch.Tensor:
    """Column j of x.

    Args:
        x: (N, M) tensor of any dtype.
        j: a column position with -M <= j < M.

    Returns:
        (N,) tensor, not (N, 1): a view of x with x's dtype and device. Differentiable with
        respect to x. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: get_column is not implemented yet; stuck? run `kata hint 04_indexing/selection get_column`")


def get_element(x: torch.Tensor, i: int, j: int) -> torch.Tensor:
    """The single element in row i, column j.

    Args:
        x: (N, M) tensor of any dtype.
        i, j: positions with -N <= i < N and -M <= j < M.

    Returns:
        A 0-d tensor (shape ()), not a Python number: a view of x with x's dtype and
        device, differentiable with respect to x. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: get_element is not implemented yet; stuck? run `kata hint 04_indexing/selection get_element`")


def every_nth_column(x: torch.Tensor, n: int, start: int = 0) -> torch.Tensor:
    """The columns start, start + n, start + 2n, ... of x, as many as fit.

    Args:
        x: (N, M) tensor of any dtype.
        n: the step between chosen columns, n >= 1.
        start: the first chosen column, 0 <= start <= M (start == M chooses none).

    Returns:
        (N, K) tensor with K = ceil((M - start) / n): a view of x with x's dtype and device.
        Differentiable with respect to x. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: every_nth_column is not implemented yet; stuck? run `kata hint 04_indexing/selection every_nth_column`")


def last_row(x: torch.Tensor) -> torch.Tensor:
    """The last row of x.

    Args:
        x: (N, M) tensor of any dtype, N >= 1.

    Returns:
        (M,) tensor: a view of x with x's dtype and device. Differentiable with respect to x.
        x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: last_row is not implemented yet; stuck? run `kata hint 04_indexing/selection last_row`")


def window(x: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """The height x width block of x whose top-left corner is x[top, left].

    Args:
        x: (N, M) tensor of any dtype.
        top, left, height, width: non-negative ints with top + height <= N and
            left + width <= M. height or width may be 0 (an empty block).

    Returns:
        (height, width) tensor: a view of x with x's dtype and device. Differentiable with
        respect to x. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: window is not implemented yet; stuck? run `kata hint 04_indexing/selection window`")


def pick_rows(x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """The rows of x listed in `rows`, in that order (repeats allowed).

    Args:
        x: (N, M) tensor of any dtype.
        rows: (K,) int64 tensor of row positions in [0, N); K may be 0.

    Returns:
        (K, M) tensor with out[k] = x[rows[k]], x's dtype and device. It is a new tensor:
        it shares no memory with x or rows. Differentiable with respect to x. Neither input
        is modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: pick_rows is not implemented yet; stuck? run `kata hint 04_indexing/selection pick_rows`")


def row_copy(x: torch.Tensor, i: int) -> torch.Tensor:
    """Row i of x as data of its own, which later writes into x cannot change.

    Args:
        x: (N, M) tensor of any dtype.
        i: a row position with -N <= i < N.

    Returns:
        (M,) tensor equal to x[i], with x's dtype and device, that shares no memory with x.
        Differentiable with respect to x. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: row_copy is not implemented yet; stuck? run `kata hint 04_indexing/selection row_copy`")


def fill_window_(x: torch.Tensor, top: int, left: int, height: int, width: int, value) -> None:
    """Set every element of a block of x to `value`, in x itself.

    Args:
        x: (N, M) tensor of any dtype; it does not require grad.
        top, left, height, width: the block, as in window(): top + height <= N and
            left + width <= M; height or width may be 0.
        value: a Python number.

    Changes x in place: the height x width block whose top-left corner is x[top, left] holds
    `value` (converted to x's dtype, as assignment does) afterwards, and every other element
    keeps its value. Returns None; the trailing underscore says the function works in place.

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("04_indexing/selection: fill_window_ is not implemented yet; stuck? run `kata hint 04_indexing/selection fill_window_`")
