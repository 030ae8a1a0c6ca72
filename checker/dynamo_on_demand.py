"""torch._dynamo, imported only when something needs more of it than two no-ops.

Every torch optimizer imports torch._dynamo the first time one is built or stepped, to mark
parts of itself "not to be compiled" (`torch._disable_dynamo`) and to break a graph
(`torch._dynamo.graph_break()`). That import costs 1.3 to 2 s here, more than `import torch`
itself, and a grader pays it in the parent (the references and suites build optimizers) and in
each sandboxed run whose code builds one.

Nothing is ever compiled in the processes that grade: probes turn torch.compile into eager
calls, and the sandbox sets TORCHDYNAMO_DISABLE. There, "do not compile fn" is fn itself and a
graph break does nothing. `install()` puts a stand-in at sys.modules["torch._dynamo"] that
answers those two calls that way and, for any other attribute, imports the real torch._dynamo,
takes its place, and hands the attribute over; so code that really uses dynamo still gets it.

Installed by `kata grade` and by the sandbox's fork server only, never by the pytest plugin,
which runs inside other people's test sessions.
"""
from __future__ import annotations

import importlib
import sys
import types

NAME = "torch._dynamo"


class _DynamoOnDemand(types.ModuleType):
    @staticmethod
    def graph_break(*args, **kwargs) -> None:
        """Outside compilation a graph break is a no-op, as in torch._dynamo itself."""

    @staticmethod
    def disable(fn=None, recursive=True, **kwargs):
        """Nothing is compiled here, so the function "not to be compiled" is the function."""
        return fn if fn is not None else (lambda inner: inner)

    def __getattr__(self, name: str):
        # Introspection (`getattr(module, "__file__", None)` over sys.modules, say) must not
        # pay for the import; `__path__` must, since importing a submodule asks for it.
        if name.startswith("__") and name != "__path__":
            raise AttributeError(name)
        return getattr(_load_real(), name)


def _load_real() -> types.ModuleType:
    if isinstance(sys.modules.get(NAME), _DynamoOnDemand):
        del sys.modules[NAME]
    real = importlib.import_module(NAME)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch._dynamo = real
    return real


def install() -> bool:
    """Stand in for torch._dynamo unless it is loaded already; True if the stand-in is in place."""
    if NAME in sys.modules:
        return isinstance(sys.modules[NAME], _DynamoOnDemand)
    sys.modules[NAME] = _DynamoOnDemand(NAME, __doc__)
    return True


def loaded() -> bool:
    """Whether the real torch._dynamo has been imported."""
    module = sys.modules.get(NAME)
    return module is not None and not isinstance(module, _DynamoOnDemand)
