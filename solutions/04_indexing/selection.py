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
    # BEGIN SOLUTION
    # hint: One index in the brackets fixes the first dim and keeps everything after it.
    # hint: x[i] is the whole answer; it is already a view, so do not copy it.
    return x[i]
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Keep every row with a bare ':' in the first position and fix the second position.
    # hint: x[:, j] gives shape (N,); x[:, j:j+1] would keep the dim and give (N, 1).
    return x[:, j]
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Give one position per dim inside a single pair of brackets.
    # hint: x[i, j] is a 0-d tensor; calling .item() on it would turn it into a Python number,
    #   which is not what is asked.
    return x[i, j]
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: A slice takes three numbers, start:stop:step, and any of them may be left out.
    # hint: Keep all rows and slice the columns with start::n (no stop: run to the end).
    return x[:, start::n]
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Positions may be negative: -1 is the last one, -2 the one before.
    # hint: x[-1] is (M,); a slice such as x[-1:] would be (1, M).
    return x[-1]
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Slice both dims at once, rows then columns, in one pair of brackets.
    # hint: A slice's stop is excluded and is a position, not a length: the rows are
    #   top:top + height, and the columns left:left + width.
    return x[top:top + height, left:left + width]
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: A tensor of positions can go inside the brackets too: that is advanced indexing.
    # hint: x[rows] picks whole rows; because the rows may come in any order, PyTorch copies
    #   them, so the result is already a new tensor.
    return x[rows]
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: x[i] alone is a view: it reads x's memory, so a later write into x would show
    #   through it.
    # hint: Ask for fresh memory explicitly with .clone().
    return x[i].clone()
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Select the block with basic indexing, which gives a view, and write into that view.
    # hint: x[top:top + height, left:left + width] = value (or .fill_(value) on the view)
    #   writes straight into x's memory. A copy, such as one made with a tensor of row
    #   positions, would take the write and be thrown away.
    x[top:top + height, left:left + width] = value
    # END SOLUTION
