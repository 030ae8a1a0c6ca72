# 02_autograd/graph: requires_grad, leaves and the grad_fn graph
# Chapter 02_autograd: Autograd: the graph, accumulation and no_grad
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/02_autograd/graph.py
#   stuck?             kata hint 02_autograd/graph NAME    (each call shows one more hint)
#   start over:        kata reset 02_autograd/graph   (your current file is backed up first)

"""The autograd graph: requires_grad, leaves and grad_fn.

A tensor is plain data until you flip one switch: `requires_grad=True`. From then on PyTorch
keeps a record of every operation that uses it, so that `backward()` can later run the chain
rule through that record. Data you feed in (inputs, targets) leaves the switch off; the
numbers you want to learn (weights, biases) turn it on.

    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    x = torch.tensor(4.0, requires_grad=True)
    y = a + b          # tensor(5., grad_fn=<AddBackward0>)
    z = x * y          # tensor(20., grad_fn=<MulBackward0>)

Two kinds of tensor live in such a graph:

  * leaves: tensors you made yourself (a, b, x above). `t.is_leaf` is True and `t.grad_fn`
    is None. After `backward()` their gradients land in `t.grad`.
  * results of operations (y, z). Each one carries `grad_fn`, the backward node of the
    operation that produced it: AddBackward0 for +, MulBackward0 for *. `is_leaf` is False.

A result only gets a `grad_fn` when at least one of its inputs requires grad: if none does,
there is nothing to differentiate, and the result is a plain leaf-like tensor with
`requires_grad=False`.

Every backward node points at the nodes of its own inputs through `node.next_functions`, a
tuple of `(node, index)` pairs, in the order the operation took its inputs. For z = x * y that
is ((node of x, 0), (node of y, 0)). A leaf that requires grad shows up there as an
AccumulateGrad node (the step that adds into its .grad); an input that does not require grad
shows up as None. Following next_functions from `z.grad_fn` therefore walks the whole graph
back to the leaves:

    MulBackward0 -> AccumulateGrad (x)
                 -> AddBackward0 -> AccumulateGrad (a)
                                 -> AccumulateGrad (b)

Making a fresh leaf from existing values is a common need (a parameter initialised from a
computed tensor, say). `t.detach()` gives a view of the same memory with no history,
`.clone()` gives new memory (but a clone of a tracked tensor is still part of the graph), and
`.requires_grad_()` switches tracking on in place. Which of these you chain, and in which
order, decides whether the result is a leaf, whether it shares memory with the original, and
whether the original is changed.
"""
import torch


def build_graph(a: torch.Tensor, b: torch.Tensor, x: torch.Tensor):
    """The guide's graph: y = a + b, then z = x * y.

    Args:
        a, b, x: floating-point tensors of the same shape (0-dim scalars included). Any of
            them may be a leaf that requires grad, or plain data that does not.

    Returns:
        A tuple (y, z) with y = a + b and z = x * y, both with the inputs' shape, dtype and
        device. When an input of an operation requires grad, its result records it: y's
        grad_fn is AddBackward0 and z's is MulBackward0 (so build z with one
        multiplication, not as x * a + x * b). Wherever no input of an operation requires
        grad, its result has requires_grad=False and grad_fn None, as torch gives.
        Gradients flow from both y and z back to every input. The inputs are not
        modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("02_autograd/graph: build_graph is not implemented yet; stuck? run `kata hint 02_autograd/graph build_graph`")


def make_leaf(data: torch.Tensor) -> torch.Tensor:
    """A new leaf tensor that requires grad, holding a copy of `data`'s values.

    Args:
        data: a floating-point tensor of any shape. It may be plain data or itself part of a
            graph (for example a leaf that requires grad and already has a .grad).

    Returns:
        A new tensor with data's values, shape, dtype and device, such that
        `requires_grad` is True, `is_leaf` is True and `grad_fn` is None, whatever data was.
        It shares no memory with data, so changing one never changes the other. data is left
        exactly as it was: same values, same requires_grad, same .grad. An integer `data`
        raises RuntimeError (torch refuses to track gradients of integer tensors).

    Loops: not allowed.
    Dtype: same as data (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    raise NotImplementedError("02_autograd/graph: make_leaf is not implemented yet; stuck? run `kata hint 02_autograd/graph make_leaf`")


def grad_fn_names(model: torch.nn.Module, x: torch.Tensor) -> list:
    """The names of every node of the backward graph behind `model(x)`, depth first.

    Args:
        model: a torch.nn.Module (in this kata an nn.Sequential of small layers; some of its
            parameters may have requires_grad=False).
        x: the model's input; it may or may not require grad.

    Returns:
        A list of str. Call the model, out = model(x), then walk the graph from
        out.grad_fn: list a node's name, then walk each entry of its `next_functions` in
        order, depth first. Skip entries that are None (inputs that need no gradient), and
        list every node only once, the first time it is reached (a tensor used twice feeds
        the same node into two places). A node's name is `type(node).__name__`, such as
        'MulBackward0' or 'AccumulateGrad'. If out has no grad_fn (nothing in it requires
        grad), the list is empty. x is not modified.

    Loops: allowed (walking a graph visits one node at a time; no tensor arithmetic here).
    Forbidden: nothing.
    """
    raise NotImplementedError("02_autograd/graph: grad_fn_names is not implemented yet; stuck? run `kata hint 02_autograd/graph grad_fn_names`")
