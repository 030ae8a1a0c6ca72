"""Run-time guards around learner code: forbidden calls and dispatched-op counting.

Both are context managers used by the probe runtime, in-process and in the sandbox child alike.
"""
from __future__ import annotations

import contextlib
import functools
import importlib

import torch
from torch.overrides import TorchFunctionMode, resolve_name
from torch.utils._python_dispatch import TorchDispatchMode


class ForbiddenCall(BaseException):
    """Raised inside learner code when it calls a forbidden operation.

    A BaseException, so a learner's `except Exception:` cannot swallow it and fall back."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@functools.lru_cache(maxsize=None)
def _lookup(dotted: str):
    """Resolve 'torch.nn.LayerNorm' or 'torch.optim' to the object, or None if absent."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


@functools.lru_cache(maxsize=8192)
def _cached_name(func) -> str:
    return resolve_name(func) or getattr(func, "__qualname__", repr(func))


def _name_of(func) -> str:
    """The public name torch reports for a function, cached: resolve_name wraps a warnings filter
    around every lookup, which cost about a fifth of a probe's CPU time."""
    try:
        return _cached_name(func)
    except TypeError:   # an unhashable callable
        return resolve_name(func) or getattr(func, "__qualname__", repr(func))


class Forbid(TorchFunctionMode):
    """Refuse the named calls while active.

    Names are what `torch.overrides.resolve_name` reports ('torch.gather',
    'torch.Tensor.gather', 'torch.nn.functional.layer_norm'). A name that is a module
    ('torch.optim', 'torch.func') forbids everything under it; a name that is a class
    ('torch.nn.LayerNorm', torch.optim's Optimizer) is refused at construction, since
    constructors never pass through __torch_function__.
    """

    def __init__(self, names):
        super().__init__()
        self.names = _with_inplace_twins(frozenset(names))
        self.prefixes = tuple(n + "." for n in self.names)
        self.hits: list[str] = []
        self._patches = contextlib.ExitStack()
        self.aten = _aten_names(self.names)

    def _refuse(self, name: str):
        self.hits.append(name)
        raise ForbiddenCall(name)

    def _is_forbidden(self, name: str) -> bool:
        return name in self.names or name.startswith(self.prefixes)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if isinstance(func, (torch._ops.OpOverloadPacket, torch._ops.OpOverload)):
            # torch.ops.aten.gather(...) is the same op without the Python name: refuse it too.
            op = func._qualified_op_name if isinstance(func, torch._ops.OpOverloadPacket) else func._schema.name
            if op.startswith("aten::") and op[len("aten::"):] in self.aten:
                self._refuse(f"torch.ops.{op.replace('::', '.')}")
        name = _name_of(func)
        if self._is_forbidden(name):
            self._refuse(name)
        if self.aten and _private_builtin_name(func) in self.aten:
            # torch._softmax, torch._C._nn.cross_entropy_loss: the same op under a private
            # name that resolve_name does not know.
            self._refuse(f"{getattr(func, '__module__', None) or 'torch'}.{func.__name__}")
        return func(*args, **(kwargs or {}))

    def _patch_constructor(self, cls, name):
        original = cls.__dict__.get("__init__")
        guard = self

        def refused_init(self, *args, **kwargs):
            guard._refuse(name)

        cls.__init__ = refused_init
        self._patches.callback(
            (lambda: setattr(cls, "__init__", original)) if original is not None
            else (lambda: delattr(cls, "__init__")))

    def __enter__(self):
        for name in self.names:
            obj = _lookup(name)
            if isinstance(obj, type):
                self._patch_constructor(obj, name)
            elif name == "torch.optim":
                # Every optimizer, however it was imported, runs Optimizer.__init__.
                self._patch_constructor(torch.optim.Optimizer, name)
            elif type(obj).__name__ == "module":
                # torch.func, torch.autograd.functional: refuse their public callables.
                for attr in getattr(obj, "__all__", None) or dir(obj):
                    value = getattr(obj, attr, None)
                    if callable(value) and not attr.startswith("_") and not isinstance(value, type):
                        self._patch_attr(obj, attr, f"{name}.{attr}")
            elif callable(obj) and type(obj).__name__ == "function":
                # Plain Python functions such as torch.autograd.grad do not reach
                # __torch_function__ under a mode, so refuse them by attribute.
                module = _lookup(name.rpartition(".")[0])
                self._patch_attr(module, name.rpartition(".")[2], name)
        if any(self._is_forbidden(n) for n in _BACKWARD_NAMES):
            # `from torch.autograd import grad` binds the function before the patch above,
            # but every backward pass, torch.func's included, runs through this entry point.
            self._patch_attr(torch.autograd, "_engine_run_backward", "autograd's backward pass")
        return super().__enter__()

    def _patch_attr(self, module, attr, name):
        original = getattr(module, attr)
        guard = self

        def refused(*args, **kwargs):
            guard._refuse(name)

        setattr(module, attr, refused)
        self._patches.callback(setattr, module, attr, original)

    def __exit__(self, *exc):
        try:
            return super().__exit__(*exc)
        finally:
            self._patches.close()


@functools.lru_cache(maxsize=256)
def _with_inplace_twins(names: frozenset) -> frozenset:
    """The names, and each one's in-place twin where torch has one (torch.clamp -> torch.clamp_,
    torch.Tensor.clamp -> torch.Tensor.clamp_): the same computation, written into the input."""
    twins = {n + "_" for n in names
             if not n.endswith("_") and n.rpartition(".")[2][:1].islower() and _lookup(n + "_") is not None}
    return names | twins


@functools.lru_cache(maxsize=256)
def _aten_names(names: frozenset) -> frozenset:
    """aten op names behind forbidden Python names: torch.gather -> gather, _gather, native_gather;
    F.cross_entropy -> cross_entropy_loss."""
    bases = {n.rpartition(".")[2] for n in names}
    bases = {b for b in bases if b and not b[0].isupper()}   # classes have no aten op
    variants = (lambda b: (b, "_" + b, "native_" + b, b + "_loss", "_" + b + "_loss"))
    return frozenset(v for b in bases for v in variants(b) if hasattr(torch.ops.aten, v))


def _private_builtin_name(func) -> str | None:
    """The op name of a C builtin that torch does not name publicly (torch._softmax,
    torch._C._nn.cross_entropy_loss); None for anything else, public names included (those are
    judged by name, so that forbidding Tensor.gather alone never refuses torch.gather)."""
    if type(func).__name__ != "builtin_function_or_method" or _name_of(func).startswith("torch."):
        return None
    return getattr(func, "__name__", None)



_BACKWARD_NAMES = ("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward")


class CountOps(TorchDispatchMode):
    """Count every aten op that reaches the dispatcher: a Python loop over rows shows up
    as a count that grows with the number of rows, with no timing involved."""

    def __init__(self):
        super().__init__()
        self.count = 0

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps __torch_dispatch__ in a dynamo guard whose first use imports
        # torch._dynamo (~1.5 s). Learner code is never compiled under this counter.
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def configure_determinism() -> None:
    """Grading compares float results closely: keep TF32 off on CUDA everywhere."""
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")


class KataTimeout(BaseException):
    """Raised inside learner code when its graded name runs past the time limit (in-process).

    A BaseException, so `except Exception:` in learner code does not swallow it; it is raised
    again every half second in case a bare `except:` does."""


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Stop the code inside after `seconds` of wall time with KataTimeout. Works in the main
    thread of a Unix process (self-study); elsewhere, and for None, it sets no limit."""
    import signal
    import threading
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise KataTimeout(f"time limit of {seconds:g} s reached")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
