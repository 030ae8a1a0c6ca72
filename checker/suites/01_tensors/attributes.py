"""Hidden suite for 01_tensors/attributes."""
import torch

from checker import judge as J
from checker.suite import Case, Suite, call, meta, param, strided, transposed

suite = Suite()


@suite.function(grad=False, output_names=("shape", "dtype", "device"))
def tensor_facts(g):
    yield Case(g.randn(1).reshape(()))                       # 0-d: shape ()
    yield Case(g.randn(2, 3))
    yield Case(g.randint(0, 50, (4, 7)))                      # token ids: int64
    yield Case(g.mask(3))
    yield Case(g.randn(0, 5, dtype=torch.float64))
    yield Case(g.randn(2, 3, 4).to(torch.bfloat16))
    yield Case(transposed(g.randn(5, 2)))
    yield Case(param(g.randn(3, 1)))
    yield Case(meta(2, 3, dtype="float16"))                   # the device is the tensor's own, not a guess


def ids_case(g, batch=2, seq_len=5, vocab=50):
    return Case(g.randint(0, vocab, (batch, seq_len)), vocab)


def edge_ids(g, batch, seq_len, vocab, value):
    """Random valid ids with one position set to `value` (vocab - 1 is the largest valid id)."""
    ids = g.randint(0, vocab, (batch, seq_len))
    ids[batch - 1, seq_len // 2] = value
    return ids


@suite.function(grow=ids_case, grad=False)
def validate_token_ids(g):
    yield Case(torch.zeros(1, 1, dtype=torch.int64), 1)
    yield Case(edge_ids(g, 2, 5, 50, 49), 50)                          # the largest valid id
    yield Case(edge_ids(g, 3, 4, 10, 0), 10)
    yield Case(torch.zeros(0, 7, dtype=torch.int64), 5)                 # empty batches are valid
    yield Case(torch.zeros(3, 0, dtype=torch.int64), 5)
    yield Case(transposed(g.randint(0, 30, (6, 4))), 30)
    yield Case(edge_ids(g, 2, 5, 50, 50), 50, raises=ValueError, label="an id equal to vocab_size")
    yield Case(edge_ids(g, 2, 3, 8, -1), 8, raises=ValueError, label="a negative id")
    yield Case(edge_ids(g, 4, 6, 100, 1000), 100, raises=ValueError, label="an id far above vocab_size")
    yield Case(g.randint(0, 20, (2, 4)).float(), 20, raises=ValueError, label="whole numbers, but float32")
    yield Case(g.randint(0, 20, (2, 4)).to(torch.int32), 20, raises=ValueError, label="int32, not int64")
    yield Case(g.mask(2, 4), 20, raises=ValueError, label="bool, not int64")
    yield Case(g.randint(0, 20, (6,)), 20, raises=ValueError, label="one sequence without its batch dim")
    yield Case(g.randint(0, 20, (2, 3, 1)), 20, raises=ValueError, label="3 dims, not 2")
    yield Case(g.randint(0, 20, (1, 1)).reshape(()), 20, raises=ValueError, label="a 0-d tensor")
    yield Case(torch.zeros(0, dtype=torch.int64), 5, raises=ValueError, label="empty, but 1-D")


def parameter_case(g, rows=3, cols=4):
    return Case(g.randn(rows, cols))


@suite.function(grow=parameter_case, grad=False, new_tensors=True)
def as_parameter(g):
    yield Case(g.randn(1))
    yield parameter_case(g, 2, 3)
    yield Case(g.randint(-5, 5, (2, 4)))                  # integers become float32
    yield Case(g.randint(-5, 5, (3,)).to(torch.int32))
    yield Case(g.mask(2, 2))
    yield Case(g.randn(3, 2, dtype=torch.float64))        # float64 stays float64
    yield Case(transposed(g.randn(4, 3)))
    yield Case(strided(g.randint(0, 9, (2, 5))))


def flags_problem(out: dict) -> str | None:
    """What keeps a described tensor from being a trainable leaf."""
    if not out["requires_grad"]:
        return ("the result has requires_grad=False, so backward() would never fill its .grad. Call "
                ".requires_grad_() on it (after any conversion).")
    if not out["is_leaf"]:
        return (f"the result is not a leaf: it has grad_fn={out['grad_fn']}, because it was computed from a "
                f"tensor that requires grad, and backward() fills .grad only on leaves. Start from "
                f"values.detach() so the copy has no history.")
    return None


@suite.check()
def as_parameter(g):  # noqa: F811 - a second check of the same graded name
    """The trainable-leaf promise, on inputs that already require grad and on empty ones; and
    the device promise, on a meta tensor (a copy made on a guessed device would land elsewhere)."""
    runs = [g.randn(2, 3), g.randint(0, 9, (4,)), param(g.randn(3, 2)),
            param(g.randn(2, dtype=torch.float64)), g.randn(0, 4), g.randint(0, 9, (2, 0)),
            meta(3, 2, dtype="int32")]

    def judge(expected, got):
        for values, exp, res in zip(runs, expected, got):
            header = (f"{J.format_call('as_parameter', ['values'], [values])}\n"
                      f"{J.format_inputs(['values'], [values])}\n  ")
            problem = J.compare(exp["output"], res["output"]) or flags_problem(res["output"])
            if problem:
                return header + problem
        return None

    return [call("as_parameter", values) for values in runs], judge
