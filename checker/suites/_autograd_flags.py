"""Judging a tensor's place in the autograd graph from its described form.

The probe describes every returned tensor with `requires_grad`, `grad_fn` (the node's class
name, or None) and `is_leaf`. The value comparisons of `@suite.function` ignore these three,
so the suites of the autograd katas (02_autograd/graph, 02_autograd/no_grad) compare them here
against what the reference's tensor carried.
"""
from __future__ import annotations

from checker import judge as J


def graph_flags(desc) -> tuple:
    """(requires_grad, grad_fn, is_leaf) of a described tensor; Malformed when it is not one."""
    if not isinstance(desc, dict) or desc.get("__out__") != "tensor":
        raise J.Malformed("a tensor was expected in the reply")
    found = (desc.get("requires_grad"), desc.get("grad_fn"), desc.get("is_leaf"))
    if type(found[0]) is not bool or type(found[2]) is not bool or not (found[1] is None or type(found[1]) is str):
        raise J.Malformed("a described tensor without its autograd flags")
    return found


def show_flags(flags: tuple) -> str:
    requires_grad, grad_fn, is_leaf = flags
    return f"requires_grad={requires_grad}, grad_fn={grad_fn}, is_leaf={is_leaf}"


def flags_problem(where: str, expected, got) -> str | None:
    """None when `got` sits in the graph as `expected` does, else a sentence saying how not."""
    want, have = graph_flags(expected), graph_flags(got)
    if want == have:
        return None
    return f"{where} has {show_flags(have)}, but it should have {show_flags(want)}."


def call_header(name: str, argnames, args) -> str:
    """The call and its inputs, as the engine's own messages show them."""
    return f"{J.format_call(name, argnames, args)}\n{J.format_inputs(argnames, args)}"
