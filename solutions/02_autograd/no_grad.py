"""Inference without a graph: torch.no_grad, torch.inference_mode and detach.

While any input requires grad, every operation is recorded so that backward() can run later.
That record costs memory (each node keeps the tensors its backward needs) and time. When you
only want numbers out (evaluating a model, making predictions, logging a loss), record nothing.
There are three tools, for three situations:

  * `with torch.no_grad():` switches recording off for a block of code. Results computed
    inside have requires_grad=False and no grad_fn, even when the weights require grad.
    When the block ends, by reaching its last line or by an exception flying out of it,
    the previous setting comes back. This is what every evaluation loop uses.
  * `with torch.inference_mode():` is a stricter no_grad for pure inference. It also skips
    some bookkeeping, so it is a little faster, but the tensors it creates can never join
    a graph later: use it where the results are final answers.
  * `t.detach()` cuts one tensor out of the graph: it returns the same numbers (sharing
    memory) with no history, while the code around it keeps recording. Use it when part of
    a computation must not receive gradients, for example a frozen feature extractor in front
    of a head that is still training.

    W = torch.randn(3, 2, requires_grad=True)
    X = torch.randn(4, 3)
    (X @ W).grad_fn                  # <MmBackward0>: recorded
    with torch.no_grad():
        (X @ W).grad_fn              # None, and requires_grad is False
    torch.is_grad_enabled()          # True again after the block
    (X @ W).detach().requires_grad   # False, but the product was recorded and then cut

Neither tool changes the weights: W keeps requires_grad=True and stays a leaf that training
can update. Switching W.requires_grad off to get the same effect would change the model
itself, and you would have to remember to switch it back.

The setting is global for the thread, which is why the `with` form matters: the function
form `torch.set_grad_enabled(False)` stays off until someone turns it back on, and if the
code in between raises, nobody does, so a later training step silently records nothing.

`training_forward` below is the given forward pass of a linear model with its graph, what a
training step runs. predict must compute the same numbers without one.
"""
import torch


def training_forward(W: torch.Tensor, b: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Given, not graded: X @ W + b, recorded in the graph like any training forward pass.
    The checker also calls it to see that grad mode is still on after your predict."""
    return X @ W + b


def predict(W: torch.Tensor, b: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """The linear model's predictions X @ W + b, computed without recording a graph.

    Args:
        W: shape (D, K), b: shape (K,): floating-point leaves that require grad (the model's
            parameters); W.grad and b.grad may hold gradients.
        X: shape (N, D), same dtype as W, not requiring grad.

    Returns:
        Shape (N, K), X's dtype and device, with requires_grad=False and grad_fn None: no
        graph is recorded. W and b are left exactly as they were: the same values and .grad,
        still leaves that require grad. Grad mode is the same after the call as before it,
        also when the call raises. If X's second dim is not W's first, the matrix product
        raises RuntimeError (torch's own error; let it through).

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: Tensor.detach, torch.detach, Tensor.detach_, Tensor.data.__get__ (reading
        .data: record no graph at all, instead of cutting one off afterwards)
    """
    # BEGIN SOLUTION
    # hint: Recording is switched off for a block of code, not for a tensor: which `with`
    #   statement does that?
    # hint: with torch.no_grad(): return X @ W + b. The with block turns recording back on
    #   when it is left, even by an exception, so you never need to do it yourself.
    with torch.no_grad():
        return X @ W + b
    # END SOLUTION


def predict_proba(W: torch.Tensor, b: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Class probabilities softmax(X @ W + b) over the last dim, computed in inference mode.

    Args:
        W: shape (D, C), b: shape (C,): floating-point leaves that require grad.
        X: shape (N, D), same dtype as W, not requiring grad.

    Returns:
        Shape (N, C), X's dtype and device: row i is the softmax of the scores of example i,
        so it is positive and sums to 1. The result has requires_grad=False and grad_fn None.
        W and b are left exactly as they were (values, .grad, leaves that require grad).

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: torch.no_grad, torch.set_grad_enabled, Tensor.detach, torch.detach,
        Tensor.detach_, Tensor.data.__get__ (reading .data; this one practises
        torch.inference_mode)
    """
    # BEGIN SOLUTION
    # hint: torch.inference_mode() is used exactly like torch.no_grad(): as a with block
    #   around the computation.
    # hint: Inside the block, compute the scores X @ W + b and return
    #   torch.softmax(scores, dim=-1).
    with torch.inference_mode():
        return torch.softmax(X @ W + b, dim=-1)
    # END SOLUTION


def frozen_backbone_forward(W1: torch.Tensor, W2: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """A two-layer model whose first layer is frozen: relu(X @ W1) @ W2, with gradients
    reaching W2 only.

    The features h = relu(X @ W1) come from a pretrained backbone that must not be trained,
    while the head W2 is training.

    Args:
        W1: shape (D, H), W2: shape (H, K): floating-point leaves that require grad.
        X: shape (N, D), same dtype, not requiring grad.

    Returns:
        relu(X @ W1) @ W2, shape (N, K), X's dtype and device. The result records a graph
        back to W2 (requires_grad=True), but h is cut out of it: no gradient reaches W1 or
        X. W1 and W2 are not modified, and W1 keeps requires_grad=True (freeze the
        computation, not the tensor).

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: torch.no_grad, torch.set_grad_enabled, torch.inference_mode (this one
        practises detach)
    """
    # BEGIN SOLUTION
    # hint: The backbone's output h must arrive at the head with no history, while the head's
    #   own product is recorded as usual.
    # hint: h = torch.relu(X @ W1).detach(), then return h @ W2.
    features = torch.relu(X @ W1).detach()   # no history: gradients stop here
    return features @ W2
    # END SOLUTION
