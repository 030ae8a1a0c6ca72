"""Mistake catalogue for 06_backward/autograd_basics: plausible wrong answers the suite must
reject, and correct alternatives it must accept. Each entry replaces one name of a fresh copy
of the reference; `kata validate` grades every entry."""
import torch
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()


# ---------------------------------------------------------------- mse

@catalogue.mistake("mse sums the squared errors instead of averaging them", hint="the M is for mean: .mean()")
def mse(y_hat, y):
    return ((y_hat - y) ** 2).sum()


@catalogue.mistake("mse averages absolute errors (that is the MAE)", hint="square the differences: ** 2")
def mse(y_hat, y):  # noqa: F811 - each entry replaces the graded name
    return (y_hat - y).abs().mean()


@catalogue.mistake("mse squares the mean error instead of averaging the squares",
                   hint="square first, then average: ((y_hat - y) ** 2).mean()")
def mse(y_hat, y):  # noqa: F811
    return (y_hat - y).mean() ** 2


@catalogue.mistake("mse returns a Python float with .item()", hint="return the 0-d tensor: backward() starts from it")
def mse(y_hat, y):  # noqa: F811
    return ((y_hat - y) ** 2).mean().item()


@catalogue.mistake("mse takes the square root (that is the RMSE)", hint="no square root in the mean squared error")
def mse(y_hat, y):  # noqa: F811
    return ((y_hat - y) ** 2).mean().sqrt()


@catalogue.mistake("mse averages over dim 0 only", hint="average over every element: .mean() with no dim")
def mse(y_hat, y):  # noqa: F811
    return ((y_hat - y) ** 2).mean(dim=0)


@catalogue.mistake("mse calls F.mse_loss", expect="forbidden-op", hint="write the formula yourself")
def mse(y_hat, y):  # noqa: F811
    return F.mse_loss(y_hat, y)


@catalogue.mistake("mse adds the squared errors up one element at a time", expect="not-vectorised",
                   hint="whole-tensor arithmetic does every element at once")
def mse(y_hat, y):  # noqa: F811
    total = sum((a - b) ** 2 for a, b in zip(y_hat.reshape(-1), y.reshape(-1)))
    return total / y.numel()


# ---------------------------------------------------------------- weight_grad

@catalogue.mistake("weight_grad works the slope out by hand, so w.grad stays None",
                   hint="build the loss from w and call loss.backward(); autograd fills w.grad")
def weight_grad(w, x, target):
    return (2 * (w * x - target) * x).detach()


@catalogue.mistake("weight_grad returns the loss instead of w.grad", hint="after backward(), return w.grad")
def weight_grad(w, x, target):  # noqa: F811
    loss = (w * x - target) ** 2
    loss.backward()
    return loss.detach()


@catalogue.mistake("weight_grad builds the loss from w.item(), which autograd cannot follow", expect="error",
                   hint="use the tensor w itself in the expression")
def weight_grad(w, x, target):  # noqa: F811
    loss = (torch.tensor(w.item()) * x - target) ** 2
    loss.backward()
    return w.grad


@catalogue.mistake("weight_grad forgets to square the error", hint="the loss is (w * x - target) ** 2")
def weight_grad(w, x, target):  # noqa: F811
    loss = w * x - target
    loss.backward()
    return w.grad


@catalogue.mistake("weight_grad asks torch.autograd.grad, which returns the slope but leaves w.grad empty",
                   hint="call loss.backward() and read w.grad")
def weight_grad(w, x, target):  # noqa: F811
    (grad,) = torch.autograd.grad((w * x - target) ** 2, [w])
    return grad


# ---------------------------------------------------------------- quadratic_grad

@catalogue.mistake("quadratic_grad returns 2x + 2 worked out by hand, so x.grad stays None",
                   hint="build y from x and call y.backward(); autograd fills x.grad")
def quadratic_grad(x):
    return (2 * x + 2).detach()


@catalogue.mistake("quadratic_grad returns y instead of x.grad", hint="after y.backward(), return x.grad")
def quadratic_grad(x):  # noqa: F811
    y = x ** 2 + 2 * x + 1
    y.backward()
    return y.detach()


@catalogue.mistake("quadratic_grad detaches x first, so y has no graph to walk back", expect="error",
                   hint="use x itself: detach() cuts the connection to the leaf")
def quadratic_grad(x):  # noqa: F811
    v = x.detach()
    y = v ** 2 + 2 * v + 1
    y.backward()
    return x.grad


# ---------------------------------------------------------------- should_increase

@catalogue.mistake("should_increase reads a positive gradient as 'go up'",
                   hint="a positive slope means the loss rises with p: raise p where grad < 0")
def should_increase(grad):
    return grad > 0


@catalogue.mistake("should_increase also says True where the gradient is 0",
                   hint="a zero slope helps neither way: use the strict grad < 0")
def should_increase(grad):  # noqa: F811
    return grad <= 0


@catalogue.mistake("should_increase returns the step direction -grad instead of a bool mask",
                   hint="return a bool tensor: grad < 0")
def should_increase(grad):  # noqa: F811
    return -grad


# ---------------------------------------------------------------- grad_twice

@catalogue.mistake("grad_twice calls backward twice without retain_graph", expect="error",
                   hint="the first call must keep the graph: y.backward(retain_graph=True)")
def grad_twice(x):
    y = x ** 3
    y.backward()
    y.backward()
    return x.grad


@catalogue.mistake("grad_twice zeroes x.grad between the two passes", hint="let the two gradients add up in x.grad")
def grad_twice(x):  # noqa: F811
    y = x ** 3
    y.backward(retain_graph=True)
    x.grad.zero_()
    y.backward()
    return x.grad


@catalogue.mistake("grad_twice runs backward once and doubles the returned value, so x.grad holds only one pass",
                   hint="call y.backward() twice so that x.grad itself accumulates both passes")
def grad_twice(x):  # noqa: F811
    y = x ** 3
    y.backward()
    return x.grad * 2


# ---------------------------------------------------------------- correct alternatives

@catalogue.alternative("mse with torch.square and an explicit division by numel()")
def mse(y_hat, y):  # noqa: F811
    diff = y_hat - y
    return torch.square(diff).sum() / diff.numel()


@catalogue.alternative("weight_grad through torch.autograd.backward, returning a clone of w.grad")
def weight_grad(w, x, target):  # noqa: F811
    error = w * x - target
    torch.autograd.backward(error * error)
    return w.grad.clone()


@catalogue.alternative("quadratic_grad from the factored form (x + 1) ** 2")
def quadratic_grad(x):  # noqa: F811
    (x + 1).pow(2).backward()
    return x.grad


@catalogue.alternative("should_increase with torch.lt")
def should_increase(grad):  # noqa: F811
    return torch.lt(grad, 0)


@catalogue.alternative("grad_twice keeping the graph on both calls")
def grad_twice(x):  # noqa: F811
    y = x * x * x
    for _ in range(2):
        y.backward(retain_graph=True)
    return x.grad


# ---------------------------------------------------------------- more mistakes (review 2)

@catalogue.mistake("mse subtracts in place, y_hat.sub_(y), overwriting the caller's predictions",
                   hint="y_hat - y makes a new tensor; sub_ changes y_hat itself")
def mse(y_hat, y):  # noqa: F811
    return y_hat.sub_(y).pow(2).mean()


@catalogue.mistake("mse computes in float32 and returns float32 for half inputs",
                   hint="leave the dtype alone: ((y_hat - y) ** 2).mean() keeps y_hat's dtype")
def mse(y_hat, y):  # noqa: F811
    return ((y_hat.float() - y.float()) ** 2).mean()


@catalogue.mistake("mse divides the sum by len(y), the number of rows, not the number of elements",
                   hint="average over every element: divide by y.numel(), or use .mean()")
def mse(y_hat, y):  # noqa: F811
    return ((y_hat - y) ** 2).sum() / len(y)


@catalogue.mistake("mse rebuilds the result with torch.tensor(...item()), which cuts it off from the graph",
                   hint="return the tensor expression itself; torch.tensor(x.item()) starts a new, empty graph")
def mse(y_hat, y):  # noqa: F811
    return torch.tensor(((y_hat - y) ** 2).mean().item(), dtype=y_hat.dtype)


@catalogue.mistake("weight_grad returns w.grad.item(), a Python float", hint="return the tensor w.grad itself")
def weight_grad(w, x, target):  # noqa: F811
    loss = (w * x - target) ** 2
    loss.backward()
    return w.grad.item()


@catalogue.mistake("weight_grad runs backward twice (keeping the graph), so w.grad holds twice the slope",
                   hint="one backward() per loss: a second one adds into w.grad")
def weight_grad(w, x, target):  # noqa: F811
    loss = (w * x - target) ** 2
    loss.backward(retain_graph=True)
    loss.backward()
    return w.grad


@catalogue.mistake("weight_grad zeroes w.grad after copying it out",
                   hint="leave w.grad as backward() filled it: the spec says it holds the gradient afterwards")
def weight_grad(w, x, target):  # noqa: F811
    loss = (w * x - target) ** 2
    loss.backward()
    grad = w.grad.clone()
    w.grad.zero_()
    return grad


@catalogue.mistake("weight_grad also takes a gradient-descent step on w",
                   hint="only compute the gradient; changing w is the next chapter's job")
def weight_grad(w, x, target):  # noqa: F811
    loss = (w * x - target) ** 2
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    return w.grad


@catalogue.mistake("quadratic_grad drops the 2x term, y = x ** 2 + 1",
                   hint="y = x ** 2 + 2 * x + 1: the 2x term adds 2 to the slope")
def quadratic_grad(x):  # noqa: F811
    y = x ** 2 + 1
    y.backward()
    return x.grad


@catalogue.mistake("quadratic_grad builds y under torch.no_grad(), so there is no graph to walk back", expect="error",
                   hint="build y with autograd on; no_grad is for updates, not for the loss")
def quadratic_grad(x):  # noqa: F811
    with torch.no_grad():
        y = x ** 2 + 2 * x + 1
    y.backward()
    return x.grad


@catalogue.mistake("should_increase returns a float mask, (grad < 0).float()",
                   hint="return the comparison itself: grad < 0 is already a bool tensor")
def should_increase(grad):  # noqa: F811
    return (grad < 0).float()


@catalogue.mistake("should_increase compares in place, grad.lt_(0), overwriting the caller's gradients",
                   hint="grad < 0 makes a new tensor; lt_ writes 0/1 into grad itself")
def should_increase(grad):  # noqa: F811
    return grad.lt_(0).bool()


@catalogue.mistake("should_increase answers once for the whole tensor with .any()",
                   hint="one answer per parameter: keep grad's shape, no reduction")
def should_increase(grad):  # noqa: F811
    return (grad < 0).any()


@catalogue.mistake("grad_twice keeps the graph on the second call only", expect="error",
                   hint="it is the first backward that frees the graph: retain_graph=True goes there")
def grad_twice(x):  # noqa: F811
    y = x ** 3
    y.backward()
    y.backward(retain_graph=True)
    return x.grad


# ---------------------------------------------------------------- more alternatives (review 2)

@catalogue.alternative("mse as torch.mean(torch.pow(y - y_hat, 2)), the difference the other way round")
def mse(y_hat, y):  # noqa: F811
    return torch.mean(torch.pow(y - y_hat, 2))


@catalogue.alternative("mse in float64, cast back to y_hat's dtype")
def mse(y_hat, y):  # noqa: F811
    return ((y_hat.double() - y.double()) ** 2).mean().to(y_hat.dtype)


@catalogue.alternative("mse as a dot product of the flattened difference with itself")
def mse(y_hat, y):  # noqa: F811
    diff = (y_hat - y).reshape(-1)
    return torch.dot(diff, diff) / diff.numel()


@catalogue.alternative("mse squaring a fresh difference in place (pow_)")
def mse(y_hat, y):  # noqa: F811
    diff = y_hat - y
    diff.pow_(2)
    return diff.mean()


@catalogue.alternative("weight_grad with torch.square, returning w.grad.detach()")
def weight_grad(w, x, target):  # noqa: F811
    torch.square(x * w - target).sum().backward()
    return w.grad.detach()


@catalogue.alternative("quadratic_grad without the constant (it has no slope) through torch.autograd.backward")
def quadratic_grad(x):  # noqa: F811
    torch.autograd.backward(x * x + 2 * x)
    return x.grad


@catalogue.alternative("should_increase as grad.sign() == -1")
def should_increase(grad):  # noqa: F811
    return grad.sign() == -1


@catalogue.alternative("grad_twice with explicit ones_like seeds")
def grad_twice(x):  # noqa: F811
    y = torch.pow(x, 3)
    y.backward(torch.ones_like(y), retain_graph=True)
    y.backward(torch.ones_like(y))
    return x.grad
