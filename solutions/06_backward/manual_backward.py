"""The backward pass by hand: the chain rule without autograd.

`loss.backward()` is not magic. It walks the graph from the loss back to the inputs and, at
every node, multiplies the gradient arriving from above (the upstream gradient) by that
node's own local derivative. Here you do that walk yourself.

Start with the guide's tiny graph, y = a + b and z = x * y, at a = 2, b = 3, x = 4:

    y = a + b        # 5.0     local derivatives: dy/da = 1, dy/db = 1
    z = x * y        # 20.0    local derivatives: dz/dx = y, dz/dy = x
    # chain rule: dz/da = dz/dy * dy/da = x * 1 = 4.0,  dz/db = 4.0,  dz/dx = y = 5.0

With tensors, z = (x * (a + b)).sum() works element by element: a sum hands an upstream
gradient of 1 to every element it adds up, so each gradient has its input's shape.

The same recipe gives the gradients of a linear model under mean squared error. With the
residual r = X @ W + b - y, the loss is the mean of r**2 over all N*K entries, so
dL/dr = 2 * r / (N*K); a matrix product sends that back as X.T @ dL/dr, and the bias, which
was added to every row, collects the sum of dL/dr over the rows.

For mean cross-entropy over N rows the whole softmax-plus-log simplifies to
dL/dlogits = (softmax(logits) - one_hot(targets)) / N. The softmax must subtract each row's
maximum before exp(), or logits in the hundreds overflow to inf and the result turns to NaN.

Autograd is switched off for this kata: no .backward(), torch.autograd or torch.func.
Work on whole tensors too: a Python loop over rows is refused, since the checker counts the
operations your code runs at two input sizes.
"""
import torch
import torch.nn.functional as F


def graph_grads(a: torch.Tensor, b: torch.Tensor, x: torch.Tensor):
    """Gradients of z = (x * (a + b)).sum() with respect to a, b and x.

    Args:
        a, b, x: floating-point tensors, all of the same shape (any shape, scalars too).
            They do not require grad.

    Returns:
        A tuple (dz_da, dz_db, dz_dx) of three new tensors, each with the inputs' shape,
        dtype and device. The inputs are not modified.

    Loops: not allowed.
    Dtype: same as a (float16 and bfloat16 included).
    Forbidden: Tensor.backward, torch.autograd.backward, torch.autograd.grad,
        torch.autograd.functional, torch.func (autograd in any form: the point is to apply the
        chain rule yourself)
    """
    # BEGIN SOLUTION
    # hint: Write each gradient as 'upstream gradient times local derivative'. The sum sends a
    #   gradient of 1 to every product x * (a + b).
    # hint: dz/dx = a + b, and dz/da = dz/db = x. Return three separate tensors: clone one of
    #   the two equal gradients.
    y = a + b
    # The sum passes a gradient of 1 back to every product x * y.
    upstream = torch.ones_like(y)
    # Product rule: each factor's gradient is the upstream gradient times the other factor.
    dz_dx = upstream * y
    dz_dy = upstream * x
    # Addition has local derivative 1 for both terms, so a and b receive dz/dy unchanged.
    dz_da = dz_dy
    dz_db = dz_dy.clone()  # a separate tensor, so changing one gradient cannot change the other
    return dz_da, dz_db, dz_dx
    # END SOLUTION


def linear_mse_grads(X: torch.Tensor, W: torch.Tensor, b: torch.Tensor, y: torch.Tensor):
    """Gradients of the mean squared error of a linear model with respect to W and b.

    The loss is L = ((X @ W + b - y) ** 2).mean(), the mean over all N * K entries.

    Args:
        X: inputs, shape (N, D).
        W: weights, shape (D, K).
        b: bias, shape (K,).
        y: targets, shape (N, K). K may be larger than 1.
        All floating point, same dtype and device, none requiring grad.

    Returns:
        A tuple (dL_dW, dL_db) with shapes (D, K) and (K,), in the inputs' dtype and device.
        The inputs are not modified.

    Loops: not allowed.
    Dtype: same as X (float16 and bfloat16 included).
    Forbidden: Tensor.backward, torch.autograd.backward, torch.autograd.grad,
        torch.autograd.functional, torch.func (autograd in any form: the point is to apply the
        chain rule yourself)
    """
    # BEGIN SOLUTION
    # hint: Let r = X @ W + b - y. The mean over all N*K entries makes dL/dr = 2 * r /
    #   r.numel().
    # hint: Then dL/dW = X.T @ dL/dr, and dL/db sums dL/dr over the rows because b was
    #   broadcast onto every row.
    residual = X @ W + b - y                         # (N, K)
    # d(mean of r**2)/dr: 2 r from the square, 1/(N*K) from the mean over every entry.
    dL_dresidual = 2 * residual / residual.numel()   # (N, K)
    dL_dW = X.T @ dL_dresidual                       # (D, N) @ (N, K) -> (D, K)
    # b was broadcast onto every row, so its gradient adds up the rows' gradients.
    dL_db = dL_dresidual.sum(dim=0)                  # (K,)
    return dL_dW, dL_db
    # END SOLUTION


def softmax_cross_entropy_grad(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Gradient of mean cross-entropy with respect to the logits.

    The loss is L = mean over rows i of -log(softmax(logits[i])[targets[i]]).

    Args:
        logits: shape (N, C), floating point: one row of class scores per example.
        targets: shape (N,), int64: the correct class of each row, in 0..C-1.

    Returns:
        dL/dlogits, shape (N, C), in the logits' dtype and device. It must stay finite for
        large logits (for example rows like [1000., 0., -1000.]). The inputs are not modified.

    Loops: not allowed.
    Dtype: same as logits (float16 and bfloat16 included).
    Forbidden: Tensor.backward, torch.autograd.backward, torch.autograd.grad,
        torch.autograd.functional, torch.func (autograd in any form: the point is to apply the
        chain rule yourself)
    """
    # BEGIN SOLUTION
    # hint: The gradient of mean cross-entropy with respect to the logits is (softmax(logits)
    #   - one_hot(targets)) / N.
    # hint: Subtract each row's max before exp() so that rows like [1000, 0, -1000] stay
    #   finite.
    # Stable softmax over the classes: the shift leaves the result unchanged and keeps exp() <= 1.
    shifted = logits - logits.amax(dim=1, keepdim=True)
    exps = torch.exp(shifted)
    probs = exps / exps.sum(dim=1, keepdim=True)
    one_hot = F.one_hot(targets, num_classes=logits.shape[1]).to(logits.dtype)
    # Each row contributes 1/N of the mean, so its gradient is scaled by 1/N too.
    return (probs - one_hot) / logits.shape[0]
    # END SOLUTION
