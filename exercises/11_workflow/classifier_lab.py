# 11_workflow/classifier_lab: The classifier lab: train, evaluate, and keep the test set out
# Chapter 11_workflow: The training workflow
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/11_workflow/classifier_lab.py
#   stuck?             kata hint 11_workflow/classifier_lab NAME    (each call shows one more hint)
#   start over:        kata reset 11_workflow/classifier_lab   (your current file is backed up first)

"""The classifier lab: everything so far, in one small image classifier.

The guide's lab trains an MLP on FashionMNIST: 28x28 grey images in 10 classes. Nothing here
downloads anything, so the lab brings its own images: `synthetic_images` gives every class a
fixed random 8x8 pattern and draws each image as its class's pattern plus noise. A class is a
pattern to recognise through the noise, which is what a classifier does with real pictures too.

The model is the guide's, slimmed down:

    Flatten -> Linear(C*H*W, hidden) -> ReLU -> Dropout(p) -> Linear(hidden, num_classes)

nn.Flatten turns each (C, H, W) image into one vector inside the model, so the model takes
image batches (B, C, H, W) as they come. The last layer returns *logits*, one raw score per
class: cross-entropy applies the softmax itself, and the predicted class is the argmax.

A training run alternates two phases, and each has its own rules.

Training (model.train(): dropout on). For every batch: zero the grads, forward, loss, backward,
optimizer step. The batches come in a fresh random order each epoch, drawn from a generator of
the run's own, and dropout draws its masks from torch's global generator, so seeding both makes
the whole run repeatable.

Evaluation (model.eval(): dropout off, so predictions are deterministic; and torch.no_grad(): no
graph is recorded, which saves memory and time). The accuracy is the fraction of images whose
argmax matches the label:

    model.eval()
    with torch.no_grad():
        accuracy = (model(X).argmax(dim=1) == y).float().mean().item()

The test set is there to measure, never to learn from. It must not reach an optimizer step, and
it must not even shift the random numbers training draws: an evaluation left in training mode
samples dropout masks from the same global generator, so the size of the test set would change
every later mask. The kata checks exactly that by training twice with two different test sets:
the training losses must come out identical.
"""
import torch
import torch.nn.functional as F
from torch import nn


def synthetic_images(n: int, seed: int, num_classes: int = 10, size: int = 8, noise: float = 1.0) -> tuple:
    """n noisy images (n, 1, size, size) and their labels (n,). Every call shares the same class
    patterns, so training and test sets made with different seeds hold the same classes."""
    patterns = torch.randn(num_classes, 1, size, size, generator=torch.Generator().manual_seed(1234))
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, num_classes, (n,), generator=generator)
    return patterns[labels] + noise * torch.randn(n, 1, size, size, generator=generator), labels


class Classifier(nn.Module):
    """The lab's MLP: Flatten -> Linear -> ReLU -> Dropout -> Linear, as one nn.Sequential.

    Classifier(image_shape=(1, 8, 8), hidden_dim=32, num_classes=10, dropout=0.2) has a single
    submodule, self.net, an nn.Sequential of exactly
        0: nn.Flatten()
        1: nn.Linear(C * H * W, hidden_dim)      where image_shape = (C, H, W)
        2: nn.ReLU()
        3: nn.Dropout(dropout)
        4: nn.Linear(hidden_dim, num_classes)
    so its state_dict keys are net.1.weight, net.1.bias, net.4.weight and net.4.bias.

    forward(x): x of shape (B, C, H, W), float; returns the logits, shape (B, num_classes), same
    dtype and device. In eval mode the output is deterministic; in training mode dropout zeroes
    hidden units with probability `dropout`, drawing from torch's global generator.

    Loops: not allowed.
    Forbidden: nothing.
    """

    def __init__(self, image_shape=(1, 8, 8), hidden_dim: int = 32, num_classes: int = 10, dropout: float = 0.2):
        raise NotImplementedError("11_workflow/classifier_lab: Classifier.__init__ is not implemented yet; stuck? run `kata hint 11_workflow/classifier_lab Classifier`")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("11_workflow/classifier_lab: Classifier.forward is not implemented yet; stuck? run `kata hint 11_workflow/classifier_lab Classifier`")


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of the images in X that `model` classifies correctly.

    Switch the model to eval mode (and leave it there) and run it on X under torch.no_grad(),
    in one forward pass. The predicted class of an image is the argmax of its logits.

    Args:
        model: a classifier returning logits (B, num_classes).
        X: images (B, ...), B >= 1; y: labels (B,), int64.

    Returns:
        The accuracy, a Python float in [0, 1] (not a percentage, not a tensor). Calling it twice
        gives the same number. torch's grad mode is as it was before the call (enabled, normally).
        X and y are not modified.

    Loops: allowed (there is nothing to loop over: one forward pass).
    Forbidden: nothing.
    """
    raise NotImplementedError("11_workflow/classifier_lab: evaluate is not implemented yet; stuck? run `kata hint 11_workflow/classifier_lab evaluate`")


def fit(model: nn.Module, train: tuple, test: tuple, epochs: int, seed: int, lr: float = 0.05,
        batch_size: int = 32) -> dict:
    """Train `model` on `train` for `epochs` epochs, measuring it on `test` after each one.

    Args:
        model: a classifier returning logits; train and test: (X, y) pairs of images and int64
            labels; epochs: an int >= 0; seed: an int; lr, batch_size: as named.

    The recipe, in this order:
        1. torch.manual_seed(seed), so the dropout masks repeat from run to run;
        2. generator = torch.Generator().manual_seed(seed), made once, for the batch order;
        3. optimizer = torch.optim.Adam(model.parameters(), lr=lr);
        4. for each epoch: model.train(); order = torch.randperm(N, generator=generator) for the
           N training images; for each batch of indices order[i:i + batch_size] (the last batch may
           be shorter): zero the grads, loss = F.cross_entropy(model(xb), yb), backward, step.
           The epoch's train loss is the mean loss over its N images: the sum of
           loss.item() * len(batch), divided by N. Then the epoch's test accuracy is
           evaluate(model, *test).
    The test set is only ever passed to evaluate: it never reaches an optimizer step, and it
    changes nothing about training (not even the random numbers training draws), so two runs
    with different test sets train exactly alike. Trained on synthetic_images(90, seed=0) with
    this recipe, 2 epochs reach a test accuracy of at least 0.9.

    Returns:
        {"train_loss": [...], "test_accuracy": [...]}, one Python float per epoch in each list.

    Loops: allowed (over epochs and batches).
    Forbidden: nothing.
    """
    raise NotImplementedError("11_workflow/classifier_lab: fit is not implemented yet; stuck? run `kata hint 11_workflow/classifier_lab fit`")


# ------------------------------------------------------------------------------------------------
# The hidden suite runs evaluate and fit through these two functions, which build seeded models
# and data and report what happened as plain numbers. Leave them as they are.

def evaluation_facts(seed: int, n: int) -> dict:
    """evaluate() twice on a seeded model left in training mode, watching every forward pass."""
    X, y = synthetic_images(n, seed)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(64, 10))
    model.train()
    passes = []
    handle = model.register_forward_hook(lambda module, inputs, output: passes.append(
        {"training": module.training, "grad_enabled": torch.is_grad_enabled()}))
    grad_enabled_before = torch.is_grad_enabled()
    try:
        first, second = evaluate(model, X, y), evaluate(model, X, y)
        grad_enabled_after = torch.is_grad_enabled()
    finally:
        handle.remove()
        torch.set_grad_enabled(grad_enabled_before)   # whatever evaluate did, the next check starts clean
    return {"accuracy": first, "again": second, "passes": passes,
            "grad_enabled_after": grad_enabled_after, "training_after": model.training}


def lab_run(seed: int, test_size: int, test_seed: int, epochs: int) -> dict:
    """fit() on 90 training images made from `seed`, measured on a test set of its own."""
    train = synthetic_images(90, seed)
    test = synthetic_images(test_size, test_seed)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10))
    grad_enabled_before = torch.is_grad_enabled()
    try:
        history = fit(model, train, test, epochs, seed)
    finally:
        torch.set_grad_enabled(grad_enabled_before)   # whatever fit did, the next check starts clean
    return {"history": history, "weights": dict(model.state_dict())}
