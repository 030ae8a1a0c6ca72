# 09_modules_optim/training: The training loop: zero_grad, forward, loss, backward, step; then eval() and no_grad
# Chapter 09_modules_optim: Modules, optimizers and the training loop
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/09_modules_optim/training.py
#   stuck?             kata hint 09_modules_optim/training NAME    (each call shows one more hint)
#   start over:        kata reset 09_modules_optim/training   (your current file is backed up first)

"""The training loop: the same few lines train a toy regression and a billion-parameter model.

Once the model is an nn.Module and the update rule lives in an optimizer, every training loop
has the same shape. For each batch:

    optimizer.zero_grad()            # backward adds into .grad: clear last batch's gradients
    prediction = model(x_batch)      # forward
    loss = loss_fn(prediction, y_batch)
    loss.backward()                  # fill every parameter's .grad
    optimizer.step()                 # move the parameters

Forget zero_grad and every step also pushes with all the gradients that came before it; the
loss may still go down for a while, which is what makes that bug hard to spot.

Evaluation is a different mode, and two separate switches turn it on:

    model.eval()                     # layers change behaviour: Dropout stops dropping
    with torch.no_grad():            # autograd stops recording: no graph, less memory
        val_loss = loss_fn(model(x_val), y_val)

model.eval() does not turn off gradients, and torch.no_grad() does not turn off dropout: an
evaluation needs both. And because eval() is sticky, the next epoch must begin with
model.train(), or the rest of training runs with dropout off.

An epoch is one pass over the training data in batches. Its training loss is usually reported
as the mean over all samples, so each batch's loss (itself a mean over the batch) is weighted by
the batch's size; the last batch may be smaller. Record numbers with loss.item(): a stored loss
tensor would keep its whole graph alive.

Randomness, the initial weights and every dropout mask, comes from torch's global generator, so
torch.manual_seed(seed) before building the model makes a whole run repeatable: the same seed
gives the same losses, epoch after epoch.

This kata provides the model and the optimizer; you write the loop. PlainSGD below behaves like
torch.optim.SGD(params, lr=lr) (which you may use instead): it exists because the first
torch.optim optimizer built in a process costs a few seconds of imports, and grading runs often.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def make_model(in_features: int, hidden_features: int = 16, dropout: float = 0.2) -> nn.Module:
    """The network `fit` trains: Linear -> ReLU -> Dropout -> Linear, one output per sample.

    Its initial weights are drawn from torch's global random generator.
    """
    return nn.Sequential(nn.Linear(in_features, hidden_features), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(hidden_features, 1))


class PlainSGD:
    """Plain gradient descent with torch.optim.SGD's interface: PlainSGD(params, lr)."""

    def __init__(self, params, lr: float):
        self.params, self.lr = list(params), lr

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for p in self.params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-self.lr)


def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    """Train make_model on a regression problem and record the train and evaluation losses.

    Args:
        X_train: float32 tensor (N, D); y_train: float32 tensor (N, 1).
        X_val: float32 tensor (M, D); y_val: float32 tensor (M, 1), on the same device.
        epochs: how many passes over the training data (an int >= 1).
        lr: the learning rate, a float.
        batch_size: samples per batch (an int >= 1); batches are taken in order, X_train[0:b],
            X_train[b:2b], ..., and the last one may be smaller. No shuffling.
        seed: an int.

    Do exactly this:
        1. torch.manual_seed(seed), then model = make_model(D) on X_train's device, then
           optimizer = PlainSGD(model.parameters(), lr) (or torch.optim.SGD with that lr).
        2. For every epoch: model.train(); then for every batch, in order: zero_grad, one
           forward pass on the batch, loss = mean squared error against the batch's targets,
           backward, step. The epoch's train loss is the mean over all N samples: the sum of
           loss.item() * (batch size) over the batches, divided by N.
        3. After each epoch's training: model.eval(), and under torch.no_grad() one forward pass
           on all of X_val; the eval loss is its mean squared error against y_val.
    Draw no other random numbers from torch's global generator, since they would shift every
    later dropout mask. So slice the batches yourself: a DataLoader takes a seed from that
    generator each time it is iterated, even with shuffle=False.

    Returns:
        {"train_losses": a list of `epochs` Python floats, "eval_losses": a list of `epochs`
        Python floats, "predictions": the (M, 1) tensor of the last evaluation's forward pass}.
        The predictions carry no autograd history (requires_grad=False, no grad_fn). With the
        same arguments, every number matches the reference's. Inputs are not modified.

    Loops: allowed (over epochs and batches).
    Forbidden: nothing.
    """
    raise NotImplementedError("09_modules_optim/training: fit is not implemented yet; stuck? run `kata hint 09_modules_optim/training fit`")
