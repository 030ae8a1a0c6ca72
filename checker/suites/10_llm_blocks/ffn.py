"""Hidden suite for 10_llm_blocks/ffn.

The module cases run with dropout off (eval mode, or dropout=0.0) so outputs and gradients can be
compared with the reference's. Dropout on the output is then checked on its own, statistically:
in training about p of the outputs must be 0 and the rest must equal the eval output / (1 - p).
"""
from checker import judge as J
from checker.stats import binomial_range
from checker.suite import Case, ModuleCase, Suite, construct, nn_model, transposed

suite = Suite()


def ffn_grow(g, batch=2, tokens=3, embedding=4, hidden=8):
    return ModuleCase((embedding, hidden), inputs=(g.randn(batch, tokens, embedding),), train=False)


@suite.module(grow=ffn_grow, children={"layer1": "Linear", "activation": "GELU", "layer2": "Linear"})
def FeedForwardNetwork(g):
    yield ModuleCase((1, 1), inputs=(g.randn(1, 1, 1),))
    yield ModuleCase((4, 8), inputs=(g.randn(4),))                          # no leading dims at all
    yield ModuleCase((4, 8), inputs=(g.randn(5, 4),))                       # a 2-D batch of vectors
    yield ModuleCase((4, 16), {"dropout": 0.3}, inputs=(g.randn(2, 3, 4),), train=False)
    yield ModuleCase((8, 32), {"dropout": 0.0}, inputs=(transposed(g.randn(3, 7, 8, scale=3.0)),))


@suite.check(stochastic=True)
def FeedForwardNetwork(g):  # noqa: F811 - a second check of the same graded name
    embedding_dim, ffn_dim, p = 32, 64, 0.3
    state = {"layer1.weight": g.randn(ffn_dim, embedding_dim, scale=embedding_dim ** -0.5),
             "layer1.bias": g.randn(ffn_dim),
             "layer2.weight": g.randn(embedding_dim, ffn_dim, scale=ffn_dim ** -0.5),
             "layer2.bias": g.randn(embedding_dim)}
    x = g.randn(4, 16, embedding_dim)
    built = dict(state_dict=state, inputs=[x])
    specs = [construct("FeedForwardNetwork", embedding_dim, ffn_dim, p, train=False, **built),
             construct("FeedForwardNetwork", embedding_dim, ffn_dim, p, train=True,
                       forward_seed=g.integer(0, 2**31 - 1), **built)]
    where = (f"FeedForwardNetwork({embedding_dim}, {ffn_dim}, dropout={p}), after loading a state_dict, "
             f"forward on x float32[4, 16, {embedding_dim}]")

    def judge(expected, got):
        if got[0].get("load_error"):   # wrong keys: the module cases above explain which
            return f"{where}\n  load_state_dict failed: {got[0]['load_error']}"
        evaluated, trained = got[0]["output"], got[1]["output"]
        problem = J.compare(expected[0]["output"], evaluated, "the output")
        if problem:
            return f"{where} in eval mode\n  dropout must be off after .eval().\n  {problem}"
        # Shape, dtype and device only: the training output's values depend on the mask.
        same_values = dict(trained, value=expected[1]["output"]["value"]) if isinstance(trained, dict) else trained
        problem = J.compare_tensor(expected[1]["output"], same_values, "the output")
        if problem:
            return f"{where} in training mode\n  {problem}"
        dropped = trained["value"] == 0
        seen = dropped.double().mean().item()
        low, high = binomial_range(p, dropped.numel())
        if not low <= seen <= high:
            return (f"{where} in training mode\n  about {p:.0%} of the {dropped.numel():,} outputs should be "
                    f"zero (anything from {low:.1%} to {high:.1%} is plausible), but {seen:.1%} "
                    f"were. The dropout belongs on the output of layer2, and only while training.")
        kept = ~dropped
        if not J.close(trained["value"][kept], evaluated["value"][kept] / (1 - p)):
            return (f"{where} in training mode\n  the outputs that are not dropped should equal the eval-mode "
                    f"output divided by (1 - p) = {1 - p}, but they do not. Apply dropout to the output of "
                    f"layer2, not to the hidden activations.")
        return None

    return specs, judge


def on_meta(*layer):
    """A layer built on the meta device: shapes and dtypes only, no memory."""
    return (*layer[:2], {"device": "meta"})


@suite.function(grad=False)
def count_parameters(g):
    yield Case(nn_model(("Linear", (3, 2))))
    yield Case(nn_model(("Linear", (5, 3), {"bias": False})))
    yield Case(nn_model(("Linear", (4, 8)), ("GELU", ()), ("Linear", (8, 4))))
    yield Case(nn_model(("Linear", (4, 8)), ("ReLU", ()), ("Linear", (8, 4)), frozen=["0.weight"]))
    yield Case(nn_model(("Embedding", (10, 4)), ("LayerNorm", (4,)), ("Linear", (4, 10)),
                        frozen=["0.weight", "1.bias"]))
    # Llama 3 8B's FFN width: 117,458,944 parameters, which the meta device never allocates.
    yield Case(nn_model(on_meta("Linear", (4096, 14336)), ("GELU", ()), on_meta("Linear", (14336, 4096))))
    yield Case(nn_model(on_meta("Linear", (4096, 14336)), ("GELU", ()), on_meta("Linear", (14336, 4096)),
                        frozen=["2.weight"]))
