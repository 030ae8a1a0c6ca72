"""Hidden suite for 04_indexing/selection.

Values, shapes, dtypes, gradients and input mutation go through the usual case ladders. Whether
a result is a view is behaviour, judged apart: the probe reports which outputs share memory
with an input, so a name whose spec promises a view must share x's memory (writing into its
result would reach x), and a name that promises a copy must not (`new_tensors=True`).
fill_window_ is the write itself: its check compares x after the call.
"""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, strided, transposed

suite = Suite()


def table(g, rows=3, cols=4, dtype=torch.float32):
    return g.randn(rows, cols, dtype=dtype)


def ints(g, rows, cols):
    return g.randint(-50, 50, (rows, cols))


@suite.function(grow=lambda g, rows=3, cols=4: Case(table(g, rows, cols), 1))
def get_row(g):
    yield Case(table(g, 1, 1), 0)
    yield Case(table(g, 3, 4), 1)
    yield Case(table(g, 4, 3), -3)                     # negative positions count from the end
    yield Case(ints(g, 3, 5), 2)
    yield Case(g.mask(2, 3), 0)
    yield Case(torch.empty(2, 0), 1)                   # a row with no elements
    yield Case(table(g, 3, 2, torch.float64), 2)
    yield Case(transposed(table(g, 5, 3)), 4)


@suite.function(grow=lambda g, rows=3, cols=4: Case(table(g, rows, cols), 2))
def get_column(g):
    yield Case(table(g, 1, 1), 0)
    yield Case(table(g, 3, 4), 2)                      # the guide's "column 2"
    yield Case(table(g, 4, 3), -1)
    yield Case(ints(g, 5, 2), 1)
    yield Case(torch.empty(0, 3), 2)                   # no rows: an empty column
    yield Case(table(g, 2, 3, torch.float64), 0)
    yield Case(transposed(table(g, 6, 4)), 3)
    yield Case(strided(table(g, 4, 5)), 4)


@suite.function(grow=lambda g, rows=3, cols=4: Case(table(g, rows, cols), 1, 3))
def get_element(g):
    yield Case(table(g, 1, 1), 0, 0)
    yield Case(table(g, 3, 4), 1, 3)                   # the guide's element (1, 3)
    yield Case(table(g, 4, 3), -1, -2)
    yield Case(ints(g, 3, 4), 2, 0)
    yield Case(table(g, 2, 5, torch.float64), 1, 4)
    yield Case(transposed(table(g, 5, 4)), 3, 1)


@suite.function(grow=lambda g, rows=3, cols=4: Case(table(g, rows, cols * 2), 2, 1))
def every_nth_column(g):
    yield Case(table(g, 1, 1), 1)
    yield Case(table(g, 2, 5), 2)                      # columns 0, 2, 4
    yield Case(table(g, 3, 6), 2)                      # columns 0, 2, 4: the count rounds up only
    yield Case(table(g, 3, 7), 3, 1)                   # columns 1, 4
    yield Case(table(g, 2, 4), 5, 2)                   # a step longer than the row: column 2 alone
    yield Case(table(g, 2, 4), 2, 4)                   # start == M: nothing chosen
    yield Case(ints(g, 3, 8), 3, 2)
    yield Case(table(g, 2, 6, torch.float64), 4, 1)
    yield Case(transposed(table(g, 9, 3)), 2, 1)


@suite.function(grow=lambda g, rows=3, cols=4: Case(table(g, rows, cols)))
def last_row(g):
    yield Case(table(g, 1, 1))
    yield Case(table(g, 1, 4))                         # one row: it is the first and the last
    yield Case(table(g, 3, 4))
    yield Case(ints(g, 4, 2))
    yield Case(table(g, 5, 3, torch.float64))
    yield Case(transposed(table(g, 3, 6)))


@suite.function(grow=lambda g, rows=3, cols=4: Case(table(g, rows * 2, cols * 2), 1, 2, rows, cols))
def window(g):
    yield Case(table(g, 1, 1), 0, 0, 1, 1)
    yield Case(table(g, 3, 4), 0, 1, 2, 2)             # rows 0-1, columns 1-2
    yield Case(table(g, 5, 6), 2, 3, 3, 2)             # a window reaching the last row
    yield Case(table(g, 4, 5), 1, 1, 1, 3)             # one row tall, still 2-D
    yield Case(table(g, 4, 5), 2, 0, 0, 3)             # zero rows tall: (0, 3)
    yield Case(ints(g, 5, 5), 2, 2, 2, 3)
    yield Case(table(g, 6, 4, torch.float64), 3, 1, 2, 3)
    yield Case(transposed(table(g, 6, 7)), 1, 2, 4, 3)


@suite.function(grow=lambda g, rows=3, cols=4, picks=2: Case(table(g, rows, cols), g.randint(0, rows, (picks,))),
                new_tensors=True)
def pick_rows(g):
    yield Case(table(g, 1, 1), torch.tensor([0]))
    yield Case(table(g, 4, 3), torch.tensor([2, 0]))           # any order
    yield Case(table(g, 3, 2), torch.tensor([1, 1, 1, 0]))     # repeats, more picks than rows
    yield Case(ints(g, 5, 3), torch.tensor([4, 2, 3]))
    yield Case(table(g, 4, 2, torch.float64), torch.tensor([3, 0, 3]))
    yield Case(transposed(table(g, 6, 5)), torch.tensor([5, 1, 2, 0]))


# No picks at all: checked without the memory-sharing record, which counts any two empty tensors
# as sharing memory (neither has a data pointer).
@suite.function()
def pick_rows(g):  # noqa: F811 - a second check of the same graded name
    yield Case(table(g, 3, 4), torch.tensor([], dtype=torch.int64))


@suite.function(grow=lambda g, rows=3, cols=4: Case(table(g, rows, cols), 1), new_tensors=True)
def row_copy(g):
    yield Case(table(g, 1, 1), 0)
    yield Case(table(g, 3, 4), 1)
    yield Case(table(g, 4, 3), -1)
    yield Case(ints(g, 3, 5), 0)
    yield Case(table(g, 3, 2, torch.float64), 2)
    yield Case(transposed(table(g, 5, 3)), 3)


@suite.check()
def fill_window_(g):
    """Registered first: when x comes back unchanged, name the usual cause before any value."""
    args = (table(g, 3, 4), 1, 1, 2, 2, 5.0)

    def judge(expected, got):
        after = got[0].get("after")
        if not (isinstance(after, list) and after and isinstance(after[0], dict)
                and isinstance(after[0].get("value"), torch.Tensor)):
            raise J.Malformed("an in-place reply without x's state after the call")
        if torch.equal(after[0]["value"], args[0]):
            return (f"{J.format_call('fill_window_', ['x', 'top', 'left', 'height', 'width', 'value'], args)} "
                    f"left x unchanged. The write went into a copy: a clone, a new tensor, or a block chosen "
                    f"with a tensor of positions. Write into a view of x made with slices only, such as "
                    f"x[top:top + height, left:left + width].")
        return None

    return [call("fill_window_", *args, inplace=True)], judge


# inplace=True: the probe records x after the call and the judge compares it with the
# reference's x, so a write that lands in a copy (x unchanged) fails here.
@suite.function(grow=lambda g, rows=3, cols=4: Case(table(g, rows * 2, cols * 2), 1, 1, rows, cols, 0.5),
                inplace=True, grad=False)
def fill_window_(g):  # noqa: F811 - a second check of the same graded name
    yield Case(table(g, 1, 1), 0, 0, 1, 1, 7.0)
    yield Case(table(g, 3, 4), 0, 1, 2, 2, 0.0)
    yield Case(table(g, 4, 5), 1, 0, 3, 5, -1.5)              # full-width rows
    yield Case(table(g, 4, 5), 0, 2, 4, 1, 9.0)               # one whole column
    yield Case(table(g, 3, 3), 1, 1, 0, 2, 5.0)               # an empty block: nothing changes
    yield Case(ints(g, 4, 4), 1, 1, 2, 2, -7)
    yield Case(table(g, 5, 4, torch.float64), 2, 1, 3, 3, 2.25)
    yield Case(transposed(table(g, 5, 6)), 1, 2, 3, 2, 4.0)   # writes must reach a non-contiguous x too


# ---------------------------------------------------------------------------------------------
# Views: the result must read x's own memory
# ---------------------------------------------------------------------------------------------

VIEW_CALLS = {   # name -> (argument names, calls): a contiguous and a non-contiguous x each
    "get_row": (("x", "i"), lambda g: [(table(g, 3, 4), 1), (transposed(table(g, 4, 3)), -1)]),
    "get_column": (("x", "j"), lambda g: [(table(g, 3, 4), 2), (transposed(table(g, 4, 3)), 0)]),
    "get_element": (("x", "i", "j"), lambda g: [(table(g, 3, 4), 1, 3), (transposed(table(g, 4, 3)), 2, 2)]),
    "every_nth_column": (("x", "n", "start"),
                         lambda g: [(table(g, 3, 7), 3, 1), (transposed(table(g, 6, 3)), 2, 0)]),
    "last_row": (("x",), lambda g: [(table(g, 3, 4),), (transposed(table(g, 4, 3)),)]),
    "window": (("x", "top", "left", "height", "width"),
               lambda g: [(table(g, 4, 5), 1, 2, 2, 3), (transposed(table(g, 5, 4)), 0, 1, 3, 2)]),
}


def shares_x(result) -> bool:
    aliases = result.get("aliases")
    if not isinstance(aliases, list):
        raise J.Malformed("a call reply without its memory-sharing record")
    return [0, 0] in aliases


def view_check(name, argnames, calls):
    def check(g):
        runs = calls(g)

        def judge(expected, got):
            for args, res in zip(runs, got):
                shown = J.format_call(name, argnames, args)
                if not (isinstance(res.get("output"), dict) and res["output"].get("__out__") == "tensor"):
                    return f"{shown} should return a tensor that is a view of x, but it returned something else."
                if not shares_x(res):
                    return (f"{shown} returned a copy: the result does not share memory with x. The spec asks "
                            f"for a view, so that writing into the result changes x. Ints and slices in the "
                            f"brackets give a view by themselves: drop any .clone(), .contiguous(), "
                            f"torch.tensor(...), .item() or tensor of positions.")
            return None

        return [dict(call(name, *args), aliases=True) for args in runs], judge

    check.__name__ = name
    suite.check()(check)


for _name, (_argnames, _calls) in VIEW_CALLS.items():
    view_check(_name, _argnames, _calls)
