"""Mistake catalogue for 04_indexing/selection: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- views that are not views

@catalogue.mistake("get_row clones the row, so it is no longer a view of x",
                   hint="return x[i] as it is: basic indexing already gives a view")
def get_row(x, i):
    return x[i].clone()


@catalogue.mistake("get_row slices x[i:i + 1], which keeps the row dim", hint="index with the int: x[i]")
def get_row(x, i):  # noqa: F811 - each entry replaces the graded name
    return x[i:i + 1]


# Caught first on an empty row: the loop never runs, so the fresh tensor has no graph; on the
# other rows the op count grows with the number of columns.
@catalogue.mistake("get_row copies the row into a new tensor one element at a time",
                   hint="x[i] takes the whole row in one operation")
def get_row(x, i):  # noqa: F811
    out = torch.empty(x.shape[1], dtype=x.dtype, device=x.device)
    for c in range(x.shape[1]):
        out[c] = x[i, c]
    return out


@catalogue.mistake("get_column indexes x[j], which is a row", hint="keep every row with ':' first: x[:, j]")
def get_column(x, j):
    return x[j]


@catalogue.mistake("get_column keeps a (N, 1) column with x[:, j:j + 1]", hint="use the int j, not a slice")
def get_column(x, j):  # noqa: F811
    return x[:, j:j + 1]


@catalogue.mistake("get_column makes the transposed row contiguous, which copies it",
                   hint="x[:, j] (or x.T[j]) is already a view; .contiguous() copies a strided column")
def get_column(x, j):  # noqa: F811
    return x.T[j].contiguous()


@catalogue.mistake("get_element returns a Python number with .item()", hint="return the 0-d tensor x[i, j]")
def get_element(x, i, j):
    return x[i, j].item()


@catalogue.mistake("get_element rebuilds the element with torch.tensor(...)",
                   hint="x[i, j] is a 0-d tensor already; a new tensor has no graph and may change dtype")
def get_element(x, i, j):  # noqa: F811
    return torch.tensor(x[i, j].item())


@catalogue.mistake("every_nth_column writes start:n, reading n as the stop instead of the step",
                   hint="a slice is start:stop:step; leave the stop out: start::n")
def every_nth_column(x, n, start=0):
    return x[:, start:n]


@catalogue.mistake("every_nth_column slices the rows with x[start::n]", hint="put ':' for the rows first")
def every_nth_column(x, n, start=0):  # noqa: F811
    return x[start::n]


@catalogue.mistake("every_nth_column picks the columns with a tensor of positions, which copies",
                   hint="a stepped slice x[:, start::n] gives the same columns as a view")
def every_nth_column(x, n, start=0):  # noqa: F811
    return x[:, torch.arange(start, x.shape[1], n)]


@catalogue.mistake("last_row uses x[-1:], a (1, M) slice", hint="the int -1 drops the row dim: x[-1]")
def last_row(x):
    return x[-1:]


@catalogue.mistake("last_row indexes x[x.shape[0]], one past the end", hint="positions run 0..N-1: use -1")
def last_row(x):  # noqa: F811
    return x[x.shape[0]]


@catalogue.mistake("last_row takes the last column x[:, -1]", hint="the row is the first position: x[-1]")
def last_row(x):  # noqa: F811
    return x[:, -1]


@catalogue.mistake("window uses the lengths as stops: x[top:height, left:width]",
                   hint="a slice stops at a position: top:top + height")
def window(x, top, left, height, width):
    return x[top:height, left:width]


@catalogue.mistake("window includes one row and one column too many (stop taken as inclusive)",
                   hint="the stop is excluded already: top:top + height")
def window(x, top, left, height, width):  # noqa: F811
    return x[top:top + height + 1, left:left + width + 1]


@catalogue.mistake("window puts the column range first", hint="rows come first in the brackets, then columns")
def window(x, top, left, height, width):  # noqa: F811
    return x[left:left + width, top:top + height]


# ---------------------------------------------------------------- copies

@catalogue.mistake("pick_rows picks columns with x[:, rows]", hint="rows are the first position: x[rows]")
def pick_rows(x, rows):
    return x[:, rows]


@catalogue.mistake("pick_rows loops over the positions in Python", expect="not-vectorised",
                   hint="a tensor of positions goes straight into the brackets: x[rows]")
def pick_rows(x, rows):  # noqa: F811
    return torch.stack([x[int(r)] for r in rows]) if len(rows) else x[:0].clone()


@catalogue.mistake("row_copy returns the view x[i]", hint="call .clone() so the row gets memory of its own")
def row_copy(x, i):
    return x[i]


@catalogue.mistake("row_copy detaches before cloning, which cuts the gradient",
                   hint=".clone() alone copies and keeps the graph; .detach() drops it")
def row_copy(x, i):  # noqa: F811
    return x[i].detach().clone()


@catalogue.mistake("fill_window_ writes through a tensor of row positions, so the write lands in a copy",
                   hint="select the block with slices only, which gives a view of x")
def fill_window_(x, top, left, height, width, value):
    x[torch.arange(top, top + height)][:, left:left + width] = value


@catalogue.mistake("fill_window_ clones x first, so the caller's tensor never changes",
                   hint="write into x itself: x[top:top + height, left:left + width] = value")
def fill_window_(x, top, left, height, width, value):  # noqa: F811
    x = x.clone()
    x[top:top + height, left:left + width] = value


@catalogue.mistake("fill_window_ returns a filled copy instead of changing x",
                   hint="assign into x's block and return None")
def fill_window_(x, top, left, height, width, value):  # noqa: F811
    out = x.clone()
    out[top:top + height, left:left + width] = value
    return out


@catalogue.mistake("fill_window_ fills one row at a time", expect="not-vectorised",
                   hint="one slice assignment covers every row of the block")
def fill_window_(x, top, left, height, width, value):  # noqa: F811
    for r in range(top, top + height):
        x[r, left:left + width] = value


# ---------------------------------------------------------------- correct alternatives

@catalogue.alternative("get_row with x.select(0, i)")
def get_row(x, i):  # noqa: F811
    return x.select(0, i)


@catalogue.alternative("get_column as a row of the transpose, x.T[j]")
def get_column(x, j):  # noqa: F811
    return x.T[j]


@catalogue.alternative("get_element with chained brackets x[i][j]")
def get_element(x, i, j):  # noqa: F811
    return x[i][j]


@catalogue.alternative("every_nth_column with an explicit stop x[:, start:x.shape[1]:n]")
def every_nth_column(x, n, start=0):  # noqa: F811
    return x[:, start:x.shape[1]:n]


@catalogue.alternative("last_row as x[len(x) - 1]")
def last_row(x):  # noqa: F811
    return x[len(x) - 1]


@catalogue.alternative("window with two narrow() calls")
def window(x, top, left, height, width):  # noqa: F811
    return x.narrow(0, top, height).narrow(1, left, width)


@catalogue.alternative("pick_rows with index_select")
def pick_rows(x, rows):  # noqa: F811
    return x.index_select(0, rows)


@catalogue.alternative("row_copy by cloning x and then taking the row")
def row_copy(x, i):  # noqa: F811
    return x.clone()[i]


@catalogue.alternative("fill_window_ with narrow(...).fill_(value)")
def fill_window_(x, top, left, height, width, value):  # noqa: F811
    x.narrow(0, top, height).narrow(1, left, width).fill_(value)


# ---------------------------------------------------------------- more mistakes (review)

@catalogue.mistake("get_row takes column i, x[:, i]", hint="a row is the first position: x[i]")
def get_row(x, i):  # noqa: F811
    return x[:, i]


@catalogue.mistake("get_element swaps the positions, x[j, i]", hint="row first, then column: x[i, j]")
def get_element(x, i, j):  # noqa: F811
    return x[j, i]


@catalogue.mistake("window slices twice in separate brackets: the second slice cuts rows again",
                   hint="x[a:b][c:d] slices the rows twice; put both ranges in one pair: x[a:b, c:d]")
def window(x, top, left, height, width):  # noqa: F811
    return x[top:top + height][left:left + width]


@catalogue.mistake("pick_rows drops repeated positions with torch.unique", hint="keep every position, in order: x[rows]")
def pick_rows(x, rows):  # noqa: F811
    return x[torch.unique(rows)]


@catalogue.mistake("row_copy calls .contiguous(), which copies only when the row is not contiguous already",
                   hint=".clone() always gives memory of its own")
def row_copy(x, i):  # noqa: F811
    return x[i].contiguous()


@catalogue.mistake("fill_window_ returns the filled block", hint="the function works in place: return nothing")
def fill_window_(x, top, left, height, width, value):  # noqa: F811
    return x[top:top + height, left:left + width].fill_(value)


# ---------------------------------------------------------------- more alternatives (review)

@catalogue.alternative("get_row with x[i, :]")
def get_row(x, i):  # noqa: F811
    return x[i, :]


@catalogue.alternative("get_column with x.select(1, j)")
def get_column(x, j):  # noqa: F811
    return x.select(1, j)


@catalogue.alternative("get_column with an ellipsis, x[..., j]")
def get_column(x, j):  # noqa: F811
    return x[..., j]


@catalogue.alternative("get_element with two select() calls")
def get_element(x, i, j):  # noqa: F811
    return x.select(0, i).select(0, j)


@catalogue.alternative("every_nth_column through the transpose, x.T[start::n].T")
def every_nth_column(x, n, start=0):  # noqa: F811
    return x.T[start::n].T


@catalogue.alternative("last_row with x.select(0, -1)")
def last_row(x):  # noqa: F811
    return x.select(0, -1)


@catalogue.alternative("window with chained brackets, rows then [:, columns]")
def window(x, top, left, height, width):  # noqa: F811
    return x[top:top + height][:, left:left + width]


@catalogue.alternative("pick_rows with x[rows, :]")
def pick_rows(x, rows):  # noqa: F811
    return x[rows, :]


@catalogue.alternative("pick_rows with torch.gather on an expanded index")
def pick_rows(x, rows):  # noqa: F811
    return torch.gather(x, 0, rows[:, None].expand(-1, x.shape[1]))


@catalogue.alternative("row_copy with empty_like(...).copy_(...) (copy_ is differentiable)")
def row_copy(x, i):  # noqa: F811
    row = x[i]
    return torch.empty_like(row).copy_(row)


@catalogue.alternative("row_copy with torch.clone(x.select(0, i))")
def row_copy(x, i):  # noqa: F811
    return torch.clone(x.select(0, i))


@catalogue.alternative("fill_window_ with .fill_() on the sliced view, returning nothing")
def fill_window_(x, top, left, height, width, value):  # noqa: F811
    x[top:top + height, left:left + width].fill_(value)


@catalogue.alternative("fill_window_ assigning a 0-d tensor of x's dtype")
def fill_window_(x, top, left, height, width, value):  # noqa: F811
    block = x[top:top + height, left:left + width]
    block[...] = torch.tensor(value, dtype=x.dtype)
