# 06_backward/autograd_basics: The loss, backward() and .grad
# Chapter 06_backward: The backward pass
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/06_backward/autograd_basics.py
#   stuck?             kata hint 06_backward/autograd_basics NAME    (each call shows one more hint)
#   start over:        kata reset 06_backward/autograd_basics   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   mse:
#       torch.nn.functional.mse_loss, torch.nn.MSELoss

"""The backward pass with autograd: a loss, backward(), and what .grad means.

A loss turns "how wrong is the model" into one number. For regression the usual choice is
the mean squared error: subtract, square each difference, average them all,

    L = mean((y_hat - y) ** 2)

Squaring makes every error count as positive and makes big misses cost much more than small
ones.

backward(). When the loss was computed from tensors created with requires_grad=True, PyTorch
recorded every step. loss.backward() walks those steps in reverse and stores dL/dp in p.grad
for every such leaf p. The lesson's tiny example:

    w = torch.tensor(2.0, requires_grad=True)
    x, target = torch.tensor(3.0), torch.tensor(5.0)
    loss = (w * x - target) ** 2        # (6 - 5)**2 = 1
    loss.backward()
    w.grad                              # tensor(6.): 2 * (w*x - target) * x = 2 * 1 * 3

(One of the short guides prints tensor(4.) here; the chain rule, and PyTorch, say 6.)

Reading the sign. A gradient is a slope: if w grows by a small h, the loss grows by about
w.grad * h. So w.grad = 6 says "raising w raises the loss, lower w", and the guide's linear
model, with W.grad = -1.0185, says "raising W lowers the loss". Gradient descent therefore
always steps against the gradient. A gradient of 0 means neither direction helps, to first
order: for y = x**2 + 2x + 1 that happens at x = -1, its minimum, while at x = 3 the slope
2x + 2 is 8.

Twice. backward() adds into .grad rather than overwriting it, so two backward passes leave
the sum of both gradients there. But the same graph cannot simply be walked twice: to save
memory, backward frees the intermediate values the forward pass stored for it (x**3 keeps x,
to compute 3x**2 later). A second loss.backward() then finds them gone and raises
"RuntimeError: Trying to backward through the graph a second time". Pass retain_graph=True
to every backward that is not the last, or, as a training loop does, run the forward pass
again to build a fresh graph.
"""
import torch


def mse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean squared error between predictions and targets.

    Args:
        y_hat, y: floating-point tensors of the same shape (any shape with at least one
            element), dtype and device.

    Returns:
        A 0-d tensor (shape ()), the mean over every element of (y_hat - y) ** 2, in y_hat's
        dtype and on its device. Differentiable with respect to both inputs, which are not
        modified.

    Loops: not allowed.
    Dtype: same as y_hat (float16 and bfloat16 included).
    Forbidden: F.mse_loss, nn.MSELoss
    """
    raise NotImplementedError("06_backward/autograd_basics: mse is not implemented yet; stuck? run `kata hint 06_backward/autograd_basics mse`")


def weight_grad(w: torch.Tensor, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """dloss/dw for loss = (w * x - target) ** 2, computed by autograd.

    Args:
        w: a 0-d floating-point leaf tensor with requires_grad=True and w.grad None.
        x, target: 0-d tensors of w's dtype and device, without requires_grad.

    Compute the loss from w, call backward() on it, and read w.grad.

    Returns:
        w.grad, a 0-d tensor of w's dtype (2 * (w*x - target) * x). Afterwards w.grad holds
        that same gradient and w's value is unchanged. For w=2, x=3, target=5 it is 6.

    Loops: allowed (everything is a single number).
    Forbidden: nothing.
    """
    raise NotImplementedError("06_backward/autograd_basics: weight_grad is not implemented yet; stuck? run `kata hint 06_backward/autograd_basics weight_grad`")


def quadratic_grad(x: torch.Tensor) -> torch.Tensor:
    """dy/dx for y = x**2 + 2x + 1, computed by autograd.

    Args:
        x: a 0-d floating-point leaf tensor with requires_grad=True and x.grad None.

    Returns:
        x.grad after y.backward(): a 0-d tensor of x's dtype equal to 2x + 2 (8 at x=3,
        0 at the minimum x=-1). Afterwards x.grad holds it and x's value is unchanged.

    Loops: allowed (x is a single number).
    Forbidden: nothing.
    """
    raise NotImplementedError("06_backward/autograd_basics: quadratic_grad is not implemented yet; stuck? run `kata hint 06_backward/autograd_basics quadratic_grad`")


def should_increase(grad: torch.Tensor) -> torch.Tensor:
    """Where raising a parameter a little would lower the loss.

    Args:
        grad: a floating-point tensor of any shape, the gradients dloss/dp of some
            parameters p (no NaN).

    Returns:
        A bool tensor of grad's shape and device: True where grad < 0 (raising p goes
        downhill), False where grad > 0 (raising p goes uphill) and False where grad == 0
        (neither direction helps, to first order). grad is not modified.

    Loops: not allowed.
    Forbidden: nothing.
    """
    raise NotImplementedError("06_backward/autograd_basics: should_increase is not implemented yet; stuck? run `kata hint 06_backward/autograd_basics should_increase`")


def grad_twice(x: torch.Tensor) -> torch.Tensor:
    """x.grad after two backward passes through one graph of y = x**3.

    Args:
        x: a 0-d floating-point leaf tensor with requires_grad=True and x.grad None.

    Build y = x ** 3 once and call y.backward() on it twice. The first call must keep the
    graph (retain_graph=True), or the second raises RuntimeError. Do not zero x.grad in
    between: the two gradients add up.

    Returns:
        x.grad: a 0-d tensor of x's dtype equal to 2 * 3x**2 = 6x**2. Afterwards x.grad
        holds it and x's value is unchanged.

    Loops: allowed (x is a single number).
    Forbidden: nothing.
    """
    raise NotImplementedError("06_backward/autograd_basics: grad_twice is not implemented yet; stuck? run `kata hint 06_backward/autograd_basics grad_twice`")
