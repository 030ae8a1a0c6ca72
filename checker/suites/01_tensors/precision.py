"""Hidden suite for 01_tensors/precision.

The large models are built on the meta device: Llama 3 8B's decoder-layer projections and its
output head hold 743,448,576 parameters (2,973,794,304 bytes in float32, past 2**31) and
allocate nothing. A solution that reads values (.cpu(), .tolist(), NumPy) fails there, as
the spec warns. Only Linear and RMSNorm layers go on meta: Embedding's normal_ init runs a
Python implementation there whose first use costs seconds.
"""
import torch

from checker.suite import Case, Suite, dtype, meta, nn_model, transposed

suite = Suite()

DTYPES = ("float64", "float32", "bfloat16", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")


@suite.function(grad=False)
def bytes_per_element(g):
    for name in DTYPES:
        yield Case(dtype(name))


def on_meta(name, args, **kwargs):
    return (name, args, dict(kwargs, device="meta"))


# One Llama 3 8B decoder layer (attention q, k, v, o; MLP gate, up, down; two RMSNorms), plus
# the output head over its 128,256-token vocabulary. Shapes need not chain: nothing runs.
LLAMA_LAYER = (
    on_meta("Linear", (4096, 4096), bias=False), on_meta("Linear", (4096, 1024), bias=False),
    on_meta("Linear", (4096, 1024), bias=False), on_meta("Linear", (4096, 4096), bias=False),
    on_meta("Linear", (4096, 14336), bias=False), on_meta("Linear", (4096, 14336), bias=False),
    on_meta("Linear", (14336, 4096), bias=False), on_meta("RMSNorm", (4096,)), on_meta("RMSNorm", (4096,)),
    on_meta("Linear", (4096, 128256), bias=False),
)
MLP = (("Linear", (4, 8)), ("ReLU", ()), ("Linear", (8, 3)))


@suite.function(grad=False)
def parameter_bytes(g):
    yield Case(nn_model(("Linear", (3, 2))))
    yield Case(nn_model(*MLP))
    yield Case(nn_model(*MLP, frozen=["0.weight", "2.bias"]))                  # frozen weights take memory too
    yield Case(nn_model(("Embedding", (10, 4)), ("LayerNorm", (4,)), ("Linear", (4, 10), {"bias": False})))
    yield Case(nn_model(*MLP), dtype("bfloat16"))
    yield Case(nn_model(*MLP), dtype("float64"))
    yield Case(nn_model(*LLAMA_LAYER))                                         # float32: past 2**31 bytes
    yield Case(nn_model(*LLAMA_LAYER), dtype("bfloat16"))
    yield Case(nn_model(*LLAMA_LAYER), dtype("float16"))
    yield Case(nn_model(*LLAMA_LAYER, frozen=["9.weight"]), dtype("int8"))
    yield Case(nn_model(on_meta("Linear", (4096, 14336)), ("GELU", ()), on_meta("Linear", (14336, 4096))),
               dtype("float32"))


def checkpoint(g, floats=torch.float32):
    """A small model's state_dict with both kinds of entries: float weights and int buffers."""
    return {"embed.weight": g.randn(6, 4, dtype=floats),
            "norm.weight": g.randn(4, dtype=floats),
            "norm.running_mean": g.randn(4, dtype=floats),
            "norm.num_batches_tracked": torch.tensor(37),
            "position_ids": torch.arange(300).unsqueeze(0),                  # 257 and up are not bfloat16 numbers
            "head.weight": g.randn(3, 4, dtype=floats, scale=100.0),
            "causal_mask": torch.ones(4, 4, dtype=torch.bool).tril()}


@suite.function(grad=False)
def cast_floating(g):
    yield Case({"weight": g.randn(2, 2)}, dtype("float16"))
    yield Case({}, dtype("bfloat16"))
    yield Case(checkpoint(g), dtype("bfloat16"))
    yield Case(checkpoint(g, torch.float64), dtype("float16"))
    yield Case(checkpoint(g), dtype("float32"))                              # already float32: nothing to round
    yield Case({"w": g.randn(3, 2).half(), "b": g.randn(2, dtype=torch.float64), "step": torch.tensor(5)},
               dtype("float32"))
    yield Case({"w": transposed(g.randn(3, 5)), "ids": g.randint(0, 1000, (2, 6)).to(torch.int32)},
               dtype("bfloat16"))
    yield Case({"w": g.randn(2, 3), "big": meta(4096, 1024), "ids": meta(2, 8, dtype="int64")}, dtype("float16"),
               label="entries on the meta device stay there")
