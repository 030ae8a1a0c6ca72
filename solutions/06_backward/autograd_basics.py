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
    # BEGIN SOLUTION
    # hint: Three steps, straight from the formula: the difference, its square, the average.
    # hint: ((y_hat - y) ** 2).mean() with no dim averages over every element and gives a 0-d
    #   tensor; keep it a tensor (no .item()) so backward() can start from it.
    return ((y_hat - y) ** 2).mean()
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Build the loss from the tensors themselves: (w * x - target) ** 2. Working on
    #   w.item() would cut it off from autograd.
    # hint: Call loss.backward(); autograd then stores dloss/dw in w.grad, which you return.
    loss = (w * x - target) ** 2
    loss.backward()
    return w.grad
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: Write y exactly as the formula says, with x the tensor: x ** 2 + 2 * x + 1.
    # hint: y is already a single number, so y.backward() needs no argument; then return
    #   x.grad.
    y = x ** 2 + 2 * x + 1
    y.backward()
    return x.grad
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: The gradient is the slope of the loss: a positive slope means the loss rises
    #   when p rises.
    # hint: Raising p helps exactly where the slope is negative: grad < 0, a bool tensor.
    return grad < 0
    # END SOLUTION


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
    # BEGIN SOLUTION
    # hint: The first backward frees what the graph saved for it (here x itself). Ask it to
    #   keep them with y.backward(retain_graph=True).
    # hint: Call y.backward() a second time on the same y and return x.grad; it now holds the
    #   sum of both passes.
    y = x ** 3
    y.backward(retain_graph=True)
    y.backward()
    return x.grad
    # END SOLUTION
