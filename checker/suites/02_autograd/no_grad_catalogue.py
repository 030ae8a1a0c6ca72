"""Mistake catalogue for 02_autograd/no_grad: plausible wrong answers the suite must reject, and
correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# --- predict ----------------------------------------------------------------------------------

@catalogue.mistake("predict computes X @ W + b as in training: the result records a graph",
                   hint="wrap the computation in with torch.no_grad():")
def predict(W, b, X):
    return X @ W + b


@catalogue.mistake("predict builds the graph and detaches the result", expect="forbidden-op",
                   hint="record nothing in the first place: with torch.no_grad():")
def predict(W, b, X):
    return (X @ W + b).detach()


@catalogue.mistake("predict switches requires_grad off on the parameters and never back",
                   hint="leave the parameters alone; switch recording off with a with block")
def predict(W, b, X):
    W.requires_grad_(False)
    b.requires_grad_(False)
    return X @ W + b


@catalogue.mistake("predict puts only the matrix product inside no_grad: adding b is recorded",
                   hint="put the whole computation, + b included, inside the block")
def predict(W, b, X):
    with torch.no_grad():
        scores = X @ W
    return scores + b


@catalogue.mistake("predict calls torch.set_grad_enabled(False) and never switches it back",
                   hint="use a with block, which restores the mode when it ends")
def predict(W, b, X):
    torch.set_grad_enabled(False)
    return X @ W + b


@catalogue.mistake("predict switches grad mode off and on by hand: a raising product leaves it off",
                   hint="with torch.no_grad(): restores the mode even when the code inside raises")
def predict(W, b, X):
    torch.set_grad_enabled(False)
    out = X @ W + b
    torch.set_grad_enabled(True)
    return out


@catalogue.mistake("predict writes `with torch.no_grad:` without the parentheses",
                   hint="torch.no_grad is a class: call it, torch.no_grad()")
def predict(W, b, X):
    with torch.no_grad:
        return X @ W + b


@catalogue.mistake("predict uses nn.Linear's orientation, X @ W.T", hint="W is (D, K) here: X @ W")
def predict(W, b, X):
    with torch.no_grad():
        return X @ W.T + b


@catalogue.mistake("predict casts to float32 'to be safe': half-precision inputs come back float32",
                   hint="keep X's dtype")
def predict(W, b, X):
    with torch.no_grad():
        return X.float() @ W.float() + b.float()


# --- predict_proba ----------------------------------------------------------------------------

@catalogue.mistake("predict_proba uses torch.no_grad instead of torch.inference_mode", expect="forbidden-op",
                   hint="this one practises with torch.inference_mode():")
def predict_proba(W, b, X):
    with torch.no_grad():
        return torch.softmax(X @ W + b, dim=-1)


@catalogue.mistake("predict_proba forgets inference mode: the probabilities record a graph",
                   hint="wrap the computation in with torch.inference_mode():")
def predict_proba(W, b, X):
    return torch.softmax(X @ W + b, dim=-1)


@catalogue.mistake("predict_proba takes the softmax over dim=0, across the examples",
                   hint="each example's scores form one row: softmax over dim=-1")
def predict_proba(W, b, X):
    with torch.inference_mode():
        return torch.softmax(X @ W + b, dim=0)


@catalogue.mistake("predict_proba returns the raw scores without the softmax",
                   hint="probabilities are softmax(scores, dim=-1)")
def predict_proba(W, b, X):
    with torch.inference_mode():
        return X @ W + b


@catalogue.mistake("predict_proba writes exp(s) / sum(exp(s)) without subtracting the max: large scores overflow",
                   hint="torch.softmax is stable; by hand, subtract each row's max first")
def predict_proba(W, b, X):
    with torch.inference_mode():
        e = torch.exp(X @ W + b)
        return e / e.sum(dim=-1, keepdim=True)


@catalogue.mistake("predict_proba uses a sigmoid per class instead of a softmax over classes",
                   hint="a softmax makes each row sum to 1")
def predict_proba(W, b, X):
    with torch.inference_mode():
        return torch.sigmoid(X @ W + b)


# --- frozen_backbone_forward ------------------------------------------------------------------

@catalogue.mistake("frozen_backbone_forward never cuts the features: gradients reach W1",
                   hint="detach h = relu(X @ W1) before the head uses it")
def frozen_backbone_forward(W1, W2, X):
    return torch.relu(X @ W1) @ W2


@catalogue.mistake("frozen_backbone_forward detaches the output: the head cannot learn either",
                   hint="detach the features, not the result")
def frozen_backbone_forward(W1, W2, X):
    return (torch.relu(X @ W1) @ W2).detach()


@catalogue.mistake("frozen_backbone_forward freezes W1 by switching its requires_grad off",
                   hint="W1 belongs to the caller: cut the computation with detach() instead")
def frozen_backbone_forward(W1, W2, X):
    W1.requires_grad_(False)
    return torch.relu(X @ W1) @ W2


@catalogue.mistake("frozen_backbone_forward tries to switch requires_grad off on the features",
                   hint="a computed tensor's flag cannot be changed: detach() gives a copy without history")
def frozen_backbone_forward(W1, W2, X):
    features = torch.relu(X @ W1)
    features.requires_grad_(False)
    return features @ W2


@catalogue.mistake("frozen_backbone_forward detaches W1 instead of the features: gradients still reach X",
                   hint="detach h itself, so nothing before it receives gradients")
def frozen_backbone_forward(W1, W2, X):
    return torch.relu(X @ W1.detach()) @ W2


@catalogue.mistake("frozen_backbone_forward detaches W2 instead of the features",
                   hint="the head W2 is the part that trains: detach the backbone's output")
def frozen_backbone_forward(W1, W2, X):
    return torch.relu(X @ W1) @ W2.detach()


@catalogue.mistake("frozen_backbone_forward switches grad mode off and on around the backbone",
                   expect="forbidden-op", hint="detach the features: h = torch.relu(X @ W1).detach()")
def frozen_backbone_forward(W1, W2, X):
    torch.set_grad_enabled(False)
    features = torch.relu(X @ W1)
    torch.set_grad_enabled(True)
    return features @ W2


@catalogue.mistake("frozen_backbone_forward applies the relu after the head", hint="relu belongs to the backbone")
def frozen_backbone_forward(W1, W2, X):
    return torch.relu((X @ W1).detach() @ W2)


# --- correct alternatives ---------------------------------------------------------------------

@catalogue.alternative("predict decorated with @torch.no_grad()")
@torch.no_grad()
def predict(W, b, X):
    return X @ W + b


@catalogue.alternative("predict under torch.inference_mode()")
def predict(W, b, X):
    with torch.inference_mode():
        return torch.addmm(b, X, W)


@catalogue.alternative("predict under torch.set_grad_enabled(False) used as a with block")
def predict(W, b, X):
    with torch.set_grad_enabled(False):
        return X @ W + b


@catalogue.alternative("predict_proba with only the scores in inference mode and the softmax after it")
def predict_proba(W, b, X):
    with torch.inference_mode():
        scores = X @ W + b
    return scores.softmax(dim=1)


@catalogue.alternative("frozen_backbone_forward detaching the product before the relu, then in place")
def frozen_backbone_forward(W1, W2, X):
    features = (X @ W1).detach()
    features.clamp_(min=0)
    return features @ W2


# --- more mistakes (review) -------------------------------------------------------------------

@catalogue.mistake("predict cuts the graph afterwards through .data", expect="forbidden-op",
                   hint="record nothing in the first place: with torch.no_grad():")
def predict(W, b, X):
    return (X @ W + b).data


@catalogue.mistake("predict cuts the graph afterwards with an in-place detach_()", expect="forbidden-op",
                   hint="record nothing in the first place: with torch.no_grad():")
def predict(W, b, X):
    out = X @ W + b
    out.detach_()
    return out


@catalogue.mistake("predict clears the parameters' gradients first, as a training step would",
                   hint="predicting touches nothing: leave W.grad and b.grad as they are")
def predict(W, b, X):
    W.grad = None
    b.grad = None
    return ref.predict(W, b, X)


@catalogue.mistake("predict_proba returns log-probabilities (log_softmax)",
                   hint="probabilities are softmax(scores, dim=-1): positive, summing to 1")
def predict_proba(W, b, X):
    with torch.inference_mode():
        return torch.log_softmax(X @ W + b, dim=-1)


@catalogue.mistake("predict_proba reads the probabilities through .data", expect="forbidden-op",
                   hint="compute them inside with torch.inference_mode():")
def predict_proba(W, b, X):
    return torch.softmax(X @ W + b, dim=-1).data


@catalogue.mistake("frozen_backbone_forward detaches X before the backbone: gradients still reach W1",
                   hint="X needs no gradient anyway; detach the features h = relu(X @ W1)")
def frozen_backbone_forward(W1, W2, X):
    return torch.relu(X.detach() @ W1) @ W2


# --- more alternatives (review) ---------------------------------------------------------------

@catalogue.alternative("predict with einsum and an in-place add on the fresh result")
def predict(W, b, X):
    with torch.no_grad():
        out = torch.einsum("nd,dk->nk", X, W)
        out += b
    return out


@catalogue.alternative("predict with F.linear(X, W.T, b) under torch.no_grad")
def predict(W, b, X):
    with torch.no_grad():
        return torch.nn.functional.linear(X, W.t(), b)


@catalogue.alternative("predict_proba with F.softmax on X.matmul(W).add(b)")
def predict_proba(W, b, X):
    with torch.inference_mode():
        return torch.nn.functional.softmax(X.matmul(W).add(b), dim=1)


@catalogue.alternative("predict_proba with a hand-written stable softmax")
def predict_proba(W, b, X):
    with torch.inference_mode():
        scores = X @ W + b
        shifted = scores - scores.amax(dim=-1, keepdim=True)
        e = shifted.exp()
        return e / e.sum(dim=-1, keepdim=True)


@catalogue.alternative("frozen_backbone_forward with F.relu and detach_() on the fresh features")
def frozen_backbone_forward(W1, W2, X):
    features = torch.nn.functional.relu(X.mm(W1))
    features.detach_()
    return features.mm(W2)


@catalogue.alternative("frozen_backbone_forward reading the features through .data")
def frozen_backbone_forward(W1, W2, X):
    return (X @ W1).clamp(min=0).data @ W2
