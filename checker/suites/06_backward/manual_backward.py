"""Hidden suite for 06_backward/manual_backward.

The inputs never require grad (the spec says so), so every check is grad=False: the learner's
outputs *are* gradients, compared value for value with the reference's.
"""
import torch

from checker.suite import Case, Suite, strided, transposed

suite = Suite()


def same_shape_case(g, *shape, dtype=torch.float32, wrap=lambda t: t):
    return Case(*(wrap(g.randn(*shape, dtype=dtype)) for _ in range(3)))


# "three new tensors": no gradient may share memory with an input or with another gradient.
@suite.function(grad=False, output_names=("dz/da", "dz/db", "dz/dx"), new_tensors=True,
                grow=lambda g, rows=3, cols=4: same_shape_case(g, rows, cols))
def graph_grads(g):
    yield Case(torch.tensor(2.0), torch.tensor(3.0), torch.tensor(4.0))   # the guide's scalar graph
    yield same_shape_case(g, 1)
    yield same_shape_case(g, 4)
    yield same_shape_case(g, 2, 3, dtype=torch.float64)
    yield same_shape_case(g, 3, 4, wrap=transposed)
    yield Case(g.randn(3, 5), strided(g.randn(3, 5)), transposed(g.randn(3, 5)))
    yield same_shape_case(g, 2, 3, 4)


def mse_case(g, n, d, k, dtype=torch.float32, scale=1.0):
    return Case(g.randn(n, d, dtype=dtype, scale=scale), g.randn(d, k, dtype=dtype),
                g.randn(k, dtype=dtype), g.randn(n, k, dtype=dtype, scale=scale))


@suite.function(grad=False, output_names=("dL/dW", "dL/db"),
                grow=lambda g, n=4, d=3, k=2: mse_case(g, n, d, k))
def linear_mse_grads(g):
    yield mse_case(g, 1, 1, 1)
    yield mse_case(g, 12, 3, 1)                         # K = 1: a single output column
    yield mse_case(g, 2, 5, 4)                          # fewer rows than outputs
    yield mse_case(g, 5, 3, 2)                          # K > 1: the mean is over N*K entries
    yield mse_case(g, 6, 4, 3, torch.float64, scale=100.0)
    yield Case(transposed(g.randn(6, 3)), g.randn(3, 2), g.randn(2), g.randn(6, 2))
    yield Case(g.randn(5, 4), transposed(g.randn(4, 3)), g.randn(3), strided(g.randn(5, 3)))


def ce_case(g, n, c, dtype=torch.float32, scale=1.0, wrap=lambda t: t):
    return Case(wrap(g.randn(n, c, dtype=dtype, scale=scale)), g.randint(0, c, (n,)))


@suite.function(grad=False, grow=lambda g, n=3, c=4: ce_case(g, n, c))
def softmax_cross_entropy_grad(g):
    yield ce_case(g, 1, 1)                              # one class: the gradient is exactly 0
    yield ce_case(g, 2, 1)
    yield ce_case(g, 1, 2)                              # float16/bfloat16 copies come from these three
    yield ce_case(g, 1, 4)
    yield Case(torch.tensor([[1000.0, 0.0, -1000.0]]), torch.tensor([2]))   # exp(1000) is inf
    yield ce_case(g, 3, 5)
    yield ce_case(g, 4, 3, torch.float64)
    yield ce_case(g, 5, 4, scale=1000.0)                # large logits in float32
    yield ce_case(g, 4, 6, torch.float64, scale=1000.0) # float64 overflows past about 709 too
    yield ce_case(g, 6, 4, wrap=transposed)
