"""Mistake catalogue for 09_modules_optim/optimizers: plausible wrong answers the suite must reject,
and correct alternatives it must accept. Each entry replaces one method of a fresh copy of the
reference (or a whole class); `kata validate` grades every entry."""
import math

import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- Optimizer: mistakes

class Optimizer:
    @catalogue.mistake("keeps params as given: a generator is empty after its first walk",
                       hint="store list(params)")
    def __init__(self, params):
        self.params = params
        if not self.params:       # a generator is never falsy, so this only catches []
            raise ValueError("no parameters")
        self.state = {}

    @catalogue.mistake("accepts an empty parameter list", hint="raise ValueError when there is nothing to optimize")
    def __init__(self, params):
        self.params = list(params)
        self.state = {}

    @catalogue.mistake("zero_grad never clears anything, so gradients pile up", hint="clear every .grad in zero_grad")
    def zero_grad(self, set_to_none=True):
        pass

    @catalogue.mistake("zero_grad always sets the grads to None, whatever set_to_none says",
                       hint="with set_to_none=False, fill the grad with zeros instead")
    def zero_grad(self, set_to_none=True):
        for p in self.params:
            p.grad = None

    @catalogue.mistake("zero_grad always zeroes in place, even when set_to_none=True",
                       hint="set_to_none=True (the default) means p.grad = None")
    def zero_grad(self, set_to_none=True):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()

    @catalogue.mistake("zero_grad gives a grad of zeros to parameters that had none",
                       hint="a .grad that is None stays None")
    def zero_grad(self, set_to_none=True):
        for p in self.params:
            p.grad = None if set_to_none else torch.zeros_like(p)

    @catalogue.mistake("zero_grad calls p.grad.zero_() without checking for None", hint="skip grads that are None")
    def zero_grad(self, set_to_none=True):
        for p in self.params:
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()


# ---------------------------------------------------------------- Optimizer: alternatives

class Optimizer:  # noqa: F811 - a namespace for method replacements
    @catalogue.alternative("zero_grad through p.grad.detach_() and requires_grad_(False), as torch does")
    def zero_grad(self, set_to_none=True):
        for p in self.params:
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_().requires_grad_(False).zero_()


# ---------------------------------------------------------------- SGD: mistakes

def _direction(opt, p, g):
    """The reference's momentum direction for the gradient g (its buffer kept in opt.state[p])."""
    if not opt.momentum:
        return g
    state = opt.state.setdefault(p, {})
    state["b"] = opt.momentum * state["b"] + g if "b" in state else g.clone()
    return g + opt.momentum * state["b"] if opt.nesterov else state["b"]


class SGD:
    @catalogue.mistake("a momentum buffer that averages, b = momentum * b + (1 - momentum) * g",
                       hint="torch's buffer sums: b = momentum * b + g, and starts as g")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                g = p.grad + self.weight_decay * p
                if self.momentum:
                    b = self.state.setdefault(p, {}).setdefault("b", torch.zeros_like(p))
                    b.mul_(self.momentum).add_(g, alpha=1 - self.momentum)
                    g = g + self.momentum * b if self.nesterov else b
                p -= self.lr * g

    @catalogue.mistake("ignores nesterov", hint="with nesterov, step along g + momentum * b")
    def step(self):
        self.nesterov = False
        ref.SGD.step(self)

    @catalogue.mistake("Nesterov with the buffer from before its update", hint="update b first, then use g + momentum * b")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                g = p.grad + self.weight_decay * p
                if self.momentum:
                    state = self.state.setdefault(p, {})
                    old = state.get("b", torch.zeros_like(p))
                    state["b"] = self.momentum * old + g if "b" in state else g.clone()
                    g = g + self.momentum * old if self.nesterov else state["b"]
                p -= self.lr * g

    @catalogue.mistake("adds the weight decay to the step instead of the gradient, so momentum never sees it",
                       hint="g = p.grad + weight_decay * p comes before the momentum buffer")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                p -= self.lr * (_direction(self, p, p.grad) + self.weight_decay * p)

    @catalogue.mistake("treats a missing grad as zeros, so such a parameter still decays and coasts",
                       hint="skip a parameter whose .grad is None")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    p.grad = torch.zeros_like(p)
        ref.SGD.step(self)

    @catalogue.mistake("skips a parameter whose grad is all zeros", hint="only a None grad means 'no step'")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None and not p.grad.any():
                    p.grad = None
        ref.SGD.step(self)

    @catalogue.mistake("does not skip parameters without a grad", hint="`if p.grad is None: continue`")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                p -= self.lr * _direction(self, p, p.grad + self.weight_decay * p)

    @catalogue.mistake("rebinds p = p - lr * g, which never changes the parameter",
                       hint="update in place: p -= lr * g (under torch.no_grad())")
    def step(self):
        for p in self.params:
            if p.grad is not None:
                p = p - self.lr * (p.grad + self.weight_decay * p)

    @catalogue.mistake("updates in place outside torch.no_grad()", hint="wrap the update in `with torch.no_grad():`")
    def step(self):
        for p in self.params:
            if p.grad is not None:
                p -= self.lr * (p.grad + self.weight_decay * p)

    @catalogue.mistake("a Python loop over the elements of each parameter", expect="not-vectorised",
                       hint="update whole tensors: p.add_(g, alpha=-lr)")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                flat_p, flat_g = p.view(-1), p.grad.reshape(-1)
                state = self.state.setdefault(p, {})
                if self.momentum and "b" not in state:
                    state["b"] = torch.zeros_like(flat_p)
                for j in range(flat_p.numel()):
                    g = flat_g[j] + self.weight_decay * flat_p[j]
                    if self.momentum:
                        first = state.setdefault("seen", set())
                        state["b"][j] = g if j not in first else self.momentum * state["b"][j] + g
                        first.add(j)
                        g = g + self.momentum * state["b"][j] if self.nesterov else state["b"][j]
                    flat_p[j] -= self.lr * g

    @catalogue.mistake("no ValueError for Nesterov without momentum", hint="nesterov needs momentum > 0")
    def __init__(self, params, lr=1e-3, momentum=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params)
        self.lr, self.momentum, self.weight_decay, self.nesterov = lr, momentum, weight_decay, nesterov

    @catalogue.mistake("calls torch.optim.SGD", expect="forbidden-op", hint="write the update yourself")
    def step(self):
        torch.optim.SGD(self.params, lr=self.lr, momentum=self.momentum).step()


# ---------------------------------------------------------------- SGD: alternatives

class SGD:  # noqa: F811
    @catalogue.alternative("the buffer holds lr * b (b = momentum * b + lr * g; p -= b), state by position")
    def step(self):
        with torch.no_grad():
            for index, p in enumerate(self.params):
                if p.grad is None:
                    continue
                g = p.grad.add(p, alpha=self.weight_decay)
                if not self.momentum:
                    p.sub_(self.lr * g)
                    continue
                buffers = self.state.setdefault("scaled", {})
                buffers[index] = self.lr * g if index not in buffers else self.momentum * buffers[index] + self.lr * g
                p.sub_(self.lr * g + self.momentum * buffers[index] if self.nesterov else buffers[index])

    @catalogue.alternative("p.data updates and a fresh buffer tensor each step")
    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            g = p.grad.data + self.weight_decay * p.data
            if self.momentum:
                previous = self.state.get(p)
                b = g.clone() if previous is None else self.momentum * previous + g
                self.state[p] = b
                g = g + self.momentum * b if self.nesterov else b
            p.data = p.data - self.lr * g


# ---------------------------------------------------------------- Adam: mistakes

def _adam_moments(opt, p, g):
    """The reference's moment update for one parameter; returns (t, m, v)."""
    beta1, beta2 = opt.betas
    state = opt.state.setdefault(p, {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
    state["t"] += 1
    state["m"] = beta1 * state["m"] + (1 - beta1) * g
    state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
    return state["t"], state["m"], state["v"]


class Adam:
    @catalogue.mistake("no bias correction", hint="divide m by 1 - beta1**t and v by 1 - beta2**t")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    t, m, v = _adam_moments(self, p, p.grad + self.weight_decay * p)
                    p -= self.lr * m / (v.sqrt() + self.eps)

    @catalogue.mistake("eps inside the square root", hint="m_hat / (sqrt(v_hat) + eps)")
    def step(self):
        beta1, beta2 = self.betas
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    t, m, v = _adam_moments(self, p, p.grad + self.weight_decay * p)
                    p -= self.lr * (m / (1 - beta1 ** t)) / torch.sqrt(v / (1 - beta2 ** t) + self.eps)

    @catalogue.mistake("one step count for the whole optimizer, not one per parameter",
                       hint="count each parameter's own steps in its state")
    def step(self):
        beta1, beta2 = self.betas
        self.t = getattr(self, "t", 0) + 1
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    _, m, v = _adam_moments(self, p, p.grad + self.weight_decay * p)
                    p -= self.lr * (m / (1 - beta1 ** self.t)) / ((v / (1 - beta2 ** self.t)).sqrt() + self.eps)

    @catalogue.mistake("the step count starts at 0 on the first update (1 - beta**0 = 0)",
                       hint="increase t before the bias correction")
    def step(self):
        beta1, beta2 = self.betas
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    t, m, v = _adam_moments(self, p, p.grad + self.weight_decay * p)
                    t -= 1
                    p -= self.lr * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + self.eps)

    @catalogue.mistake("betas swapped: beta2 for the gradient, beta1 for its square",
                       hint="betas = (beta1 for m, beta2 for v)")
    def step(self):
        self.betas = self.betas[::-1]
        ref.Adam.step(self)
        self.betas = self.betas[::-1]

    @catalogue.mistake("m = beta1 * m + g, without the (1 - beta1)", hint="both moments are weighted averages")
    def step(self):
        beta1, beta2 = self.betas
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                g = p.grad + self.weight_decay * p
                state = self.state.setdefault(p, {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
                state["t"] += 1
                state["m"] = beta1 * state["m"] + g
                state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
                m_hat, v_hat = state["m"] / (1 - beta1 ** state["t"]), state["v"] / (1 - beta2 ** state["t"])
                p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)

    @catalogue.mistake("decoupled weight decay in Adam (that is AdamW)", hint="Adam adds weight_decay * p to the gradient")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p.mul_(1 - self.lr * self.weight_decay)
        weight_decay, self.weight_decay = self.weight_decay, 0.0
        ref.Adam.step(self)
        self.weight_decay = weight_decay

    @catalogue.mistake("ignores eps", hint="add eps to the square root in the denominator")
    def step(self):
        eps, self.eps = self.eps, 0.0
        ref.Adam.step(self)
        self.eps = eps

    @catalogue.mistake("calls torch.optim.Adam", expect="forbidden-op", hint="write the update yourself")
    def step(self):
        torch.optim.Adam(self.params, lr=self.lr).step()


# ---------------------------------------------------------------- Adam: alternatives

class Adam:  # noqa: F811
    @catalogue.alternative("m_hat and v_hat spelled out, state in new tensors each step")
    def step(self):
        beta1, beta2 = self.betas
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    t, m, v = _adam_moments(self, p, p.grad + self.weight_decay * p)
                    m_hat = m / (1 - beta1 ** t)
                    v_hat = v / (1 - beta2 ** t)
                    p -= self.lr * m_hat / (torch.sqrt(v_hat) + self.eps)


# ---------------------------------------------------------------- AdamW: mistakes

class AdamW:
    @catalogue.mistake("decays after the Adam update instead of before it", hint="shrink p first, then Adam's step")
    def step(self):
        decayed = [p for p in self.params if p.grad is not None]
        ref.Adam.step(self)
        with torch.no_grad():
            for p in decayed:
                p.mul_(1 - self.lr * self.decoupled_weight_decay)

    @catalogue.mistake("decays by (1 - weight_decay), without the learning rate",
                       hint="the factor is 1 - lr * weight_decay")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p.mul_(1 - self.decoupled_weight_decay)
        ref.Adam.step(self)

    @catalogue.mistake("weight decay added to the gradient, as Adam does", hint="AdamW decays the weights directly")
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
        self.decoupled_weight_decay = 0.0

    @catalogue.mistake("default weight_decay 0, as in Adam", hint="AdamW's default weight_decay is 1e-2")
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, betas, eps, 0.0)
        self.decoupled_weight_decay = weight_decay

    @catalogue.mistake("passes weight_decay on to Adam as well, so it is applied twice",
                       hint="Adam's part gets weight_decay=0")
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
        self.decoupled_weight_decay = weight_decay

    @catalogue.mistake("decays every parameter, even one without a grad", hint="skip parameters whose .grad is None")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                p.mul_(1 - self.lr * self.decoupled_weight_decay)
        ref.Adam.step(self)


# ---------------------------------------------------------------- AdamW: alternatives

@catalogue.alternative("written out on its own, without Adam's step, state keyed by id")
class AdamW(ref.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay

    def step(self):
        beta1, beta2 = self.betas
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                p.mul_(1 - self.lr * self.weight_decay)
                state = self.state.setdefault(id(p), {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
                state["t"] += 1
                state["m"].mul_(beta1).add_((1 - beta1) * p.grad)
                state["v"].mul_(beta2).add_((1 - beta2) * p.grad ** 2)
                step_size = self.lr * math.sqrt(1 - beta2 ** state["t"]) / (1 - beta1 ** state["t"])
                p.sub_(step_size * state["m"] / (state["v"].sqrt() + self.eps * math.sqrt(1 - beta2 ** state["t"])))


# ---------------------------------------------------------------- more entries (review 2)

class SGD:  # noqa: F811 - a namespace for method replacements
    @catalogue.alternative("a buffer that starts at zeros (momentum * 0 + g is g, as torch's copy is)")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                g = p.grad if self.weight_decay == 0 else p.grad.add(p, alpha=self.weight_decay)
                if self.momentum != 0:
                    buf = self.state.setdefault(p, {}).setdefault("momentum_buffer", torch.zeros_like(p))
                    buf.mul_(self.momentum).add_(g)
                    g = g.add(buf, alpha=self.momentum) if self.nesterov else buf
                p.sub_(g, alpha=self.lr)

    @catalogue.alternative("torch._foreach ops over the parameters that have a grad")
    def step(self):
        with torch.no_grad():
            live = [p for p in self.params if p.grad is not None]
            if not live:
                return
            grads = torch._foreach_add([p.grad for p in live], live, alpha=self.weight_decay)
            if self.momentum:
                directions = []
                for p, g in zip(live, grads):
                    state = self.state.setdefault(p, {})
                    if "b" not in state:
                        state["b"] = g.clone()
                    else:
                        state["b"].mul_(self.momentum).add_(g)
                    directions.append(g + self.momentum * state["b"] if self.nesterov else state["b"])
                grads = directions
            torch._foreach_add_(live, grads, alpha=-self.lr)

    @catalogue.mistake("subtracts the weight decay from the gradient, g = p.grad - weight_decay * p",
                       hint="weight decay pulls p towards 0: g = p.grad + weight_decay * p")
    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                p -= self.lr * _direction(self, p, p.grad - self.weight_decay * p)


class Adam:  # noqa: F811 - a namespace for method replacements
    @catalogue.mistake("v averages the gradient, not its square", hint="v = beta2 * v + (1 - beta2) * g * g")
    def step(self):
        beta1, beta2 = self.betas
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                g = p.grad + self.weight_decay * p
                state = self.state.setdefault(p, {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
                state["t"] += 1
                state["m"] = beta1 * state["m"] + (1 - beta1) * g
                state["v"] = beta2 * state["v"] + (1 - beta2) * g.abs()
                m_hat = state["m"] / (1 - beta1 ** state["t"])
                v_hat = state["v"] / (1 - beta2 ** state["t"])
                p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)

    @catalogue.alternative("the moments updated in float64 and the step cast back to p's dtype")
    def step(self):
        beta1, beta2 = self.betas
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                g = (p.grad + self.weight_decay * p).double()
                state = self.state.setdefault(p, {"t": 0, "m": torch.zeros_like(g), "v": torch.zeros_like(g)})
                state["t"] += 1
                state["m"].mul_(beta1).add_(g, alpha=1 - beta1)
                state["v"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
                m_hat = state["m"] / (1 - beta1 ** state["t"])
                v_hat = state["v"] / (1 - beta2 ** state["t"])
                p.sub_((self.lr * m_hat / (v_hat.sqrt() + self.eps)).to(p.dtype))
